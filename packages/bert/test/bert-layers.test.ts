import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { activation, DropoutStream, layerNorm, linear } from '../src/lib/bert-layers';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

const XS = [-3, -1, -0.5, 0, 0.5, 1, 3];
// Φ(x), the standard normal CDF, from tables (15+ digits)
const PHI: Record<number, number> = { [-3]: 0.0013498980316301, [-1]: 0.15865525393145707, [-0.5]: 0.3085375387259869, 0: 0.5, 0.5: 0.6914624612740131, 1: 0.8413447460685429, 3: 0.9986501019683699 };

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
}

describe('activation', () => {
  it('gelu is exact: x·Φ(x)', () => {
    const got = tf.tidy(() => activation(tf.tensor1d(XS), 'gelu'));
    values(got).forEach((v, i) => expect(v).toBeCloseTo(XS[i] * PHI[XS[i]], 6));
  });

  it('gelu_new is the tanh form, measurably different from gelu', () => {
    const got = values(tf.tidy(() => activation(tf.tensor1d(XS), 'gelu_new')));
    XS.forEach((x, i) => {
      const expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expect(got[i]).toBeCloseTo(expected, 6);
    });
    expect(Math.abs(got[XS.indexOf(1)] - PHI[1])).toBeGreaterThan(1e-4);
  });

  it('relu', () => {
    expect(values(tf.tidy(() => activation(tf.tensor1d(XS), 'relu')))).toEqual(XS.map((x) => Math.max(0, x)));
  });
});

describe('linear and layerNorm', () => {
  it('linear reads the [out, in] weight transposed, for 2-D and 3-D inputs', () => {
    const w = tf.tensor2d([[1, 2, 3], [4, 5, 6]]); // out 2, in 3
    const b = tf.tensor1d([0.5, -1]);
    expect(values(tf.tidy(() => linear(tf.tensor2d([[1, 0, -1]]), w, b)))).toEqual([1 - 3 + 0.5, 4 - 6 - 1]);
    const y = tf.tidy(() => linear(tf.ones([2, 4, 3]), w, b));
    expect(y.shape).toEqual([2, 4, 2]);
    expect(values(y).slice(0, 2)).toEqual([6.5, 14]);
    tf.dispose([w, b]);
  });

  it('layerNorm normalises the last axis with the biased variance', () => {
    const x = [1, 2, 3, 6];
    const mean = 3;
    const variance = (4 + 1 + 0 + 9) / 4;
    const got = values(tf.tidy(() => layerNorm(tf.tensor2d([x]), tf.tensor1d([1, 1, 2, 1]), tf.tensor1d([0, 0, 0, 1]), 1e-12)));
    const expected = x.map((v, i) => ((v - mean) / Math.sqrt(variance)) * [1, 1, 2, 1][i] + [0, 0, 0, 1][i]);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
});

describe('DropoutStream', () => {
  it('is the identity when not training, reproducible per seed, and keeps the expectation', () => {
    const x = tf.ones([20000]);
    const off = new DropoutStream({ training: false, seed: 1 });
    expect(off.apply(x, 0.5)).toBe(x);
    const masks = [1, 1, 2].map((seed) => values(tf.tidy(() => new DropoutStream({ training: true, seed }).apply(x, 0.25))));
    expect(masks[0]).toEqual(masks[1]);
    expect(masks[0]).not.toEqual(masks[2]);
    const kept = masks[0].filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(kept.length / 20000).toBeGreaterThan(0.74);
    expect(kept.length / 20000).toBeLessThan(0.76);
    // consecutive calls of one stream draw different masks
    const stream = new DropoutStream({ training: true, seed: 3 });
    const [a, b] = tf.tidy(() => [stream.apply(x, 0.5), stream.apply(x, 0.5)]);
    expect(values(a)).not.toEqual(values(b));
    x.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { layerNorm } from '../src/lib/layer-norm';
import { SeededRng } from '../src/lib/seeded-rng';
import { LAYER_NORM, LAYER_NORM_GRAD } from '../src/lib/wasm-kernels/layer-norm';
import { EPS32, liveCounts, randomNormal, worstRatio } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
});

/** Float64 layer norm and its gradients for the loss Σ y·w (so dy = w), row by row. */
function reference(x: Float32Array, gamma: Float32Array, beta: Float32Array, w: Float32Array, cols: number, eps: number) {
  const rows = x.length / cols;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dgamma = new Float64Array(cols);
  const dbeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const mean = row.reduce((a, b) => a + b, 0) / cols;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / cols;
    const rstd = 1 / Math.sqrt(variance + eps);
    const xhat = row.map((v) => (v - mean) * rstd);
    const g = xhat.map((_, j) => w[r * cols + j] * gamma[j]);
    const meanG = g.reduce((a, b) => a + b, 0) / cols;
    const meanGx = g.reduce((a, b, j) => a + b * xhat[j], 0) / cols;
    for (let j = 0; j < cols; j++) {
      y[r * cols + j] = xhat[j] * gamma[j] + beta[j];
      dx[r * cols + j] = rstd * (g[j] - meanG - xhat[j] * meanGx);
      dgamma[j] += w[r * cols + j] * xhat[j];
      dbeta[j] += w[r * cols + j];
    }
  }
  return { y, dx, dgamma, dbeta };
}

describe('layerNorm (fused kernels on wasm, tf ops elsewhere)', () => {
  it('uses the fused kernels on wasm only', () => {
    expect(tf.getKernel(LAYER_NORM, 'wasm')).toBeDefined();
    expect(tf.getKernel(LAYER_NORM_GRAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(LAYER_NORM, 'cpu')).toBeUndefined();
  });

  // Rows of 256 (BERT-small), 7 and 13 (vector tails), shifted and scaled so the mean matters; eps 1e-12 (BERT) and 1e-5.
  it.each([
    ['wasm', [4, 5, 256], 1e-12],
    ['wasm', [3, 7], 1e-5],
    ['wasm', [2, 2, 13], 1e-12],
    ['cpu', [4, 5, 256], 1e-12],
  ] as Array<[string, number[], number]>)('on %s, x %j, eps %p: y, dx, dgamma, dbeta agree with float64', async (backend, shape, eps) => {
    const cols = shape[shape.length - 1];
    const rng = new SeededRng(cols + shape.length);
    const x = randomNormal(rng, shape);
    x.values.forEach((v, i) => (x.values[i] = 3 + 2 * v));
    const gamma = randomNormal(rng, [cols]).values;
    const beta = randomNormal(rng, [cols]).values;
    const w = randomNormal(rng, shape).values;
    await tf.setBackend(backend);
    const before = liveCounts();
    const [y, dx, dgamma, dbeta] = tf.tidy(() => {
      const inputs = [tf.tensor(x.values, shape), tf.tensor1d(gamma), tf.tensor1d(beta)];
      const loss = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, g, b, eps), tf.tensor(w, shape)));
      const grads = tf.grads(loss)(inputs);
      return [layerNorm(inputs[0], inputs[1], inputs[2], eps).dataSync(), ...grads.map((g) => g.dataSync())];
    });
    expect(liveCounts()).toEqual(before);
    const expected = reference(x.values, gamma, beta, w, cols, eps);
    const rows = x.values.length / cols;
    // Float32 sums of `cols` (row statistics) or `rows` (dgamma, dbeta) terms: within n·ε of the magnitudes summed.
    const bound = (values: ArrayLike<number>, terms: number, scale: number) => Array.from(values, (v) => 4 * terms * EPS32 * (Math.abs(v) + scale));
    expect(worstRatio({ actual: y, expected: expected.y, bound: bound(expected.y, cols, 3) })).toBeLessThanOrEqual(1);
    expect(worstRatio({ actual: dx, expected: expected.dx, bound: bound(expected.dx, cols, 3) })).toBeLessThanOrEqual(1);
    expect(worstRatio({ actual: dgamma, expected: expected.dgamma, bound: bound(expected.dgamma, rows, 3 * rows) })).toBeLessThanOrEqual(1);
    expect(worstRatio({ actual: dbeta, expected: expected.dbeta, bound: bound(expected.dbeta, rows, 3 * rows) })).toBeLessThanOrEqual(1);
    await tf.setBackend('wasm');
  });

  it('leaks nothing outside a gradient tape either (the saved mean and rstd go with the result)', () => {
    const [x, gamma, beta] = [tf.ones([2, 8]), tf.ones([8]), tf.zeros([8])];
    const before = liveCounts();
    layerNorm(x, gamma, beta, 1e-5).dispose();
    expect(liveCounts()).toEqual(before);
    tf.dispose([x, gamma, beta]);
  });
});

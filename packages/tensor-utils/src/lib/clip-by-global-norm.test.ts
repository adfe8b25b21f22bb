import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend/init-backend';
import { clipByGlobalNorm } from './clip-by-global-norm';
import { KoenbertError } from './errors';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

// Closed form: gradients [3, 4] and [[12]] have global norm sqrt(9 + 16 + 144) = 13.
// (The torch comparison of clipping inside a training loop is in adamw.test.ts.)
const makeGrads = () => new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 4])], ['b', tf.tensor2d([[12]])]]);

function values(grads: Map<string, tf.Tensor>): Record<string, number[]> {
  return Object.fromEntries([...grads].map(([name, grad]) => [name, Array.from(grad.dataSync())]));
}

describe('clipByGlobalNorm', () => {
  it.each([
    // maxNorm, expected scale (torch: min(1, maxNorm / (norm + 1e-6)))
    [1, 1 / (13 + 1e-6)],
    [6.5, 6.5 / (13 + 1e-6)],
    [12.999999, 12.999999 / (13 + 1e-6)], // just below the norm: clipped
    [13, 13 / (13 + 1e-6)], // equal: torch still scales by max/(norm+eps) < 1
    [20, 1], // above: unchanged
  ])('maxNorm %p scales by %p and reports the norm 13', (maxNorm, scale) => {
    const grads = makeGrads();
    const before = tf.memory().numTensors;
    const result = clipByGlobalNorm(grads, maxNorm);
    expect(tf.memory().numTensors).toBe(before + 2); // only the two outputs
    expect(result.globalNorm).toBeCloseTo(13, 5);
    expect([...result.grads.keys()]).toEqual(['a', 'b']);
    const out = values(result.grads);
    const expected = { a: [3 * scale, 4 * scale], b: [12 * scale] };
    for (const name of ['a', 'b'] as const) out[name].forEach((v, i) => expect(Math.abs(v - expected[name][i])).toBeLessThan(1e-6 * Math.abs(expected[name][i])));
    const clippedNorm = Math.hypot(...out.a, ...out.b);
    expect(clippedNorm).toBeLessThanOrEqual(Math.max(maxNorm, 13) * (1 + 1e-6));
    expect(values(grads)).toEqual({ a: [3, 4], b: [12] }); // inputs untouched
    for (const t of [...grads.values(), ...result.grads.values()]) t.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('gives norm 0 and clones for an empty or all-zero set, NaN passes through like torch', () => {
    expect(clipByGlobalNorm(new Map(), 1)).toEqual({ grads: new Map(), globalNorm: 0 });
    const zeros = new Map([['z', tf.zeros([3])]]);
    const zeroResult = clipByGlobalNorm(zeros, 1);
    expect(zeroResult.globalNorm).toBe(0);
    expect(Array.from(zeroResult.grads.get('z')!.dataSync())).toEqual([0, 0, 0]);
    const nan = new Map([['n', tf.tensor1d([1, NaN])]]);
    const nanResult = clipByGlobalNorm(nan, 1);
    expect(nanResult.globalNorm).toBeNaN();
    expect(Array.from(nanResult.grads.get('n')!.dataSync()).every(Number.isNaN)).toBe(true);
    for (const t of [...zeros.values(), ...zeroResult.grads.values(), ...nan.values(), ...nanResult.grads.values()]) t.dispose();
  });

  it('rejects a maxNorm that is not a positive finite number', () => {
    const grads = makeGrads();
    for (const bad of [0, -1, NaN, Infinity]) expect(() => clipByGlobalNorm(grads, bad)).toThrow(KoenbertError);
    for (const t of grads.values()) t.dispose();
  });
});

import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../adamw';
import { initBackend } from '../backend/init-backend';
import { clipByGlobalNorm } from '../clip-by-global-norm';
import { KoenbertError } from '../errors';
import { applyTrainingStep, describeNonFinite } from './apply-training-step';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

// Closed form: gradients [3, 4] and [[12]] have global norm sqrt(9 + 16 + 144) = 13.
const variable = (make: () => tf.Tensor) => tf.tidy(() => tf.variable(make()));
const makeParams = () => new Map<string, tf.Variable>([['a', variable(() => tf.tensor1d([1, -2]))], ['b', variable(() => tf.tensor2d([[0.5]]))]]);
const makeGrads = (b = 12) => new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 4])], ['b', tf.tensor2d([[b]])]]);
const values = (params: Map<string, tf.Tensor>) => Object.fromEntries([...params].map(([name, p]) => [name, Array.from(p.dataSync())]));
// step 1 of warmup 2 → total 10: half the peak
const schedule = { step: 1, peakLr: 0.1, warmupSteps: 2, totalSteps: 10 };
const adamw = () => new AdamW({ lr: 0.1, weightDecay: 0.01 });

function dispose(params: Map<string, tf.Variable>, optimizer: AdamW): void {
  tf.dispose([...params.values()]);
  optimizer.dispose();
}

describe('applyTrainingStep', () => {
  it('clips by the global norm, takes the lr from the schedule and applies AdamW to the clipped gradients; the gradients are disposed', () => {
    const before = tf.memory().numTensors;
    const params = makeParams();
    const optimizer = adamw();
    const result = applyTrainingStep({ params, grads: makeGrads(), loss: 0.7, optimizer, maxGradNorm: 6.5, schedule });
    expect(result).toEqual({ applied: true, lr: 0.05, gradNorm: expect.closeTo(13, 5) });
    expect(optimizer.iterations).toBe(1);
    // no gradient left: only the 2 parameters and their 2 × 2 moments
    expect(tf.memory().numTensors).toBe(before + 2 + 4);

    // the same update by hand: clipByGlobalNorm, then AdamW.applyGradients at lr 0.05
    const reference = makeParams();
    const referenceOptimizer = adamw();
    const raw = makeGrads();
    const clipped = clipByGlobalNorm(raw, 6.5);
    const scale = 6.5 / (13 + 1e-6);
    expect(values(clipped.grads).a[1]).toBeCloseTo(4 * scale, 6);
    referenceOptimizer.applyGradients(reference, clipped.grads, 0.05);
    expect(values(params)).toEqual(values(reference));
    // closed form of AdamW's first step: p·(1 − lr·wd) − lr·g/(|g| + ε) (bias-corrected moments are g and g²)
    const a = values(params).a;
    [1, -2].forEach((p, i) => expect(a[i]).toBeCloseTo(p * (1 - 0.05 * 0.01) - 0.05 * Math.sign([3, 4][i]), 6));

    tf.dispose([...raw.values(), ...clipped.grads.values()]);
    dispose(reference, referenceOptimizer);
    dispose(params, optimizer);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maxGradNorm 0 measures the norm and applies the raw gradients', () => {
    const params = makeParams();
    const optimizer = adamw();
    const result = applyTrainingStep({ params, grads: makeGrads(), loss: 0.7, optimizer, maxGradNorm: 0, schedule: { ...schedule, step: 4 } });
    // after warmup: 0.1 · (10 − 4) / (10 − 2)
    expect(result).toEqual({ applied: true, lr: expect.closeTo(0.075, 12), gradNorm: expect.closeTo(13, 5) });
    const reference = makeParams();
    const referenceOptimizer = adamw();
    const raw = makeGrads();
    referenceOptimizer.applyGradients(reference, raw, 0.1 * (6 / 8));
    expect(values(params)).toEqual(values(reference));
    tf.dispose([...raw.values()]);
    dispose(reference, referenceOptimizer);
    dispose(params, optimizer);
  });

  it.each([
    ['a NaN loss', Number.NaN, 12, 'loss is NaN'],
    ['an infinite loss', Number.POSITIVE_INFINITY, 12, 'loss is Infinity'],
    ['an infinite gradient', 0.7, Number.POSITIVE_INFINITY, 'gradient norm is Infinity'],
    ['a NaN gradient', 0.7, Number.NaN, 'gradient norm is NaN'],
  ])('%s: nothing is updated and no tensor is left behind', (_, loss, b, described) => {
    const params = makeParams();
    const optimizer = adamw();
    const before = tf.memory().numTensors;
    for (const maxGradNorm of [1, 0]) {
      const result = applyTrainingStep({ params, grads: makeGrads(b), loss, optimizer, maxGradNorm, schedule });
      expect(result.applied).toBe(false);
      if (result.applied) continue;
      expect(result.loss).toBe(loss);
      expect(Number.isFinite(result.gradNorm)).toBe(Number.isFinite(b));
      expect(describeNonFinite(result)).toBe(described);
    }
    expect(values(params)).toEqual({ a: [1, -2], b: [0.5] });
    expect(optimizer.iterations).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    dispose(params, optimizer);
  });

  it('refuses a negative or infinite maxGradNorm, and disposes the gradients then too', () => {
    const params = makeParams();
    const optimizer = adamw();
    const before = tf.memory().numTensors;
    for (const maxGradNorm of [-1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => applyTrainingStep({ params, grads: makeGrads(), loss: 0.7, optimizer, maxGradNorm, schedule })).toThrow(KoenbertError);
    }
    expect(tf.memory().numTensors).toBe(before);
    dispose(params, optimizer);
  });
});

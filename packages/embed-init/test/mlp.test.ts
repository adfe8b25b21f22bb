import * as tf from '@tensorflow/tfjs';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import type { Matrix } from '../src/lib/matrix';
import { mappingMetrics } from '../src/lib/mapping-metrics';
import { applyMlp, fitMlpIter, type MlpEvent, type MlpModel } from '../src/lib/strategies/mlp';
import { applyLinearMap } from '../src/lib/strategies/linear-map';
import { fitRidge } from '../src/lib/strategies/ridge';

async function drain(iterator: AsyncGenerator<MlpEvent, MlpModel>): Promise<{ events: MlpEvent[]; model: MlpModel }> {
  const events: MlpEvent[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { events, model: next.value };
    events.push(next.value);
  }
}

/** y = relu-ish nonlinear function of x: a linear map cannot fit it, a small MLP can. */
function data(rows: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = new SeededRng(seed);
  const d = 4;
  const e = 3;
  const x = Float32Array.from({ length: rows * d }, () => rng.normal());
  const y = new Float32Array(rows * e);
  for (let i = 0; i < rows; i++) {
    const [a, b, c, dd] = x.subarray(i * d, (i + 1) * d);
    y[i * e] = Math.abs(a) + 0.5 * b;
    y[i * e + 1] = Math.max(0, b + c) - dd;
    y[i * e + 2] = a * a * 0.5;
  }
  return { x: { rows, cols: d, data: x }, y: { rows, cols: e, data: y } };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('fitMlpIter', () => {
  const options = { hidden: 32, maxEpochs: 60, batchSize: 32, learningRate: 0.01, patience: 8, validationFraction: 0.2 };

  it('loss falls, early stopping keeps the best epoch, beats a linear map on a nonlinear target, no leaks', async () => {
    const before = tf.memory().numTensors;
    const train = data(600, 1);
    const test = data(200, 2);
    const { events, model } = await drain(fitMlpIter({ ...train, options, seed: 5 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(events.length).toBeGreaterThan(5);
    expect(events.every((event) => Number.isFinite(event.trainLoss) && Number.isFinite(event.validationLoss))).toBe(true);
    expect(events[events.length - 1].trainLoss).toBeLessThan(events[0].trainLoss * 0.5);
    const bestLoss = Math.min(...events.map((event) => event.validationLoss));
    expect(events.filter((event) => event.best).pop()!.validationLoss).toBe(bestLoss);

    const mlp = mappingMetrics({ predicted: applyMlp({ model, x: test.x }), truth: test.y });
    const ridge = fitRidge({ ...train, folds: 3, seed: 0 });
    const linear = mappingMetrics({ predicted: applyLinearMap({ map: ridge.map, x: test.x }), truth: test.y });
    expect(mlp.r2).toBeGreaterThan(0.85);
    expect(mlp.r2).toBeGreaterThan(linear.r2 + 0.2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible from its seed', async () => {
    const train = data(120, 3);
    const short = { ...options, maxEpochs: 3 };
    const a = await drain(fitMlpIter({ ...train, options: short, seed: 9 }));
    const b = await drain(fitMlpIter({ ...train, options: short, seed: 9 }));
    const c = await drain(fitMlpIter({ ...train, options: short, seed: 10 }));
    expect(b.model.w1).toEqual(a.model.w1);
    expect(b.model.w2).toEqual(a.model.w2);
    expect(b.events).toEqual(a.events);
    expect(c.model.w1).not.toEqual(a.model.w1);
  });
});

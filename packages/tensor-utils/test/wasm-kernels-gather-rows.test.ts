import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { SeededRng } from '../src/lib/seeded-rng';
import { gatherRowsConfig } from '../src/lib/wasm-kernels/gather-rows';
import { liveCounts, runOn } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
});

type GatherCase = [label: string, xShape: number[], dtype: 'float32' | 'int32', ids: number[], idsShape: number[], axis: number, batchDims: number];

const CASES: GatherCase[] = [
  ['embedding lookup, repeated ids', [50, 16], 'float32', [3, 3, 0, 49, 7, 3], [2, 3], 0, 0],
  ['int32 rows', [6, 5], 'int32', [5, 0, 2], [3], 0, 0],
  ['rank-3 rows, scalar-like ids', [7, 3, 4], 'float32', [6], [1], 0, 0],
  ['vector x (rows of one)', [9], 'float32', [8, 1, 1], [3], 0, 0],
  ['no ids', [4, 3], 'float32', [], [0], 0, 0],
  ['axis 1 (stock kernel)', [4, 6], 'float32', [5, 0], [2], 1, 0],
  ['batchDims 1 (stock kernel)', [2, 5, 3], 'float32', [4, 0, 1, 1], [2, 2], 1, 1],
];

describe('GatherV2 (project kernel on wasm for axis-0 row lookups)', () => {
  it('is the registered wasm GatherV2', () => {
    expect(tf.getKernel(tf.GatherV2, 'wasm').kernelFunc).toBe(gatherRowsConfig.kernelFunc);
  });

  it.each(CASES)('%s: equals the cpu backend exactly, leaks nothing', async (label, xShape, dtype, ids, idsShape, axis, batchDims) => {
    const rng = new SeededRng(label.length);
    const size = xShape.reduce((p, d) => p * d, 1);
    const values = Array.from({ length: size }, () => (dtype === 'int32' ? rng.int(1000) - 500 : rng.normal()));
    const gather = () => tf.gather(tf.tensor(values, xShape, dtype), tf.tensor(ids, idsShape, 'int32'), axis, batchDims);
    await tf.setBackend('wasm');
    const before = liveCounts();
    const [actual] = await runOn('wasm', gather);
    expect(liveCounts()).toEqual(before);
    const [expected] = await runOn('cpu', gather);
    expect(actual.shape).toEqual(expected.shape);
    expect(Array.from(actual.values)).toEqual(Array.from(expected.values));
  });

  it('rejects an id outside [0, rows) with the stock message and leaves nothing behind', async () => {
    await tf.setBackend('wasm');
    const table = tf.ones([4, 2]);
    const before = liveCounts();
    expect(() => tf.tidy(() => tf.gather(table, tf.tensor1d([1, 4], 'int32')))).toThrow('GatherV2: the index value 4 is not in [0, 3]');
    expect(() => tf.tidy(() => tf.gather(table, tf.tensor1d([-1], 'int32')))).toThrow('GatherV2: the index value -1 is not in [0, 3]');
    expect(liveCounts()).toEqual(before);
    table.dispose();
  });

  it('trains an embedding: the gradient (UnsortedSegmentSum) sums repeated ids', async () => {
    await tf.setBackend('wasm');
    const table = tf.variable(tf.zeros([5, 2]));
    const grad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1, 4], 'int32'))))(table).arraySync());
    expect(grad).toEqual([[0, 0], [2, 2], [0, 0], [0, 0], [1, 1]]);
    table.dispose();
  });
});

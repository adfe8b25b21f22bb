import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { SeededRng } from '../src/lib/seeded-rng';
import { EPS32, liveCounts, randomNormal, runOn, worstRatio } from './kernel-test-utils';

// The project's UnsortedSegmentSum on wasm (the stock wasm backend has none) against the cpu backend and an
// independent float64 sum. Tolerance: a float32 sum of c terms is within c·ε·Σ|terms| of the exact sum, c being the
// number of rows that fall into that segment (two float32 implementations: twice that).

beforeAll(async () => {
  await initBackend({ backend: 'cpu' }); // starts cpu without tfjs's "install the node backend" console banner
  await initBackend({ backend: 'wasm' });
});

/** float64 segment sums with TensorFlow's rule (ids shape = leading dims of x); out-of-range ids are skipped. */
function referenceSegmentSum(params: { x: ArrayLike<number>; ids: ArrayLike<number>; inner: number; numSegments: number }) {
  const { x, ids, inner, numSegments } = params;
  const values = new Float64Array(numSegments * inner);
  const scale = new Float64Array(numSegments * inner);
  const counts = new Float64Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    for (let j = 0; j < inner; j++) {
      values[segment * inner + j] += x[i * inner + j];
      scale[segment * inner + j] += Math.abs(x[i * inner + j]);
      counts[segment * inner + j] += 1;
    }
  }
  const bound = scale.map((s, i) => counts[i] * EPS32 * s + 1e-30);
  return { values, bound };
}

/** tf.unsortedSegmentSum is typed for 1-D ids; the kernel (like TensorFlow) takes any leading dimensions of x. */
function idsTensor(ids: Int32Array, shape: number[]): tf.Tensor1D {
  const tensor: tf.Tensor = tf.tensor(ids, shape, 'int32');
  return tensor as tf.Tensor1D;
}

function randomIds(rng: SeededRng, count: number, low: number, high: number): Int32Array {
  return Int32Array.from({ length: count }, () => low + rng.int(high - low));
}

type SegmentCase = [label: string, xShape: number[], idsShape: number[], numSegments: number, idLow: number, idHigh: number];

const CASES: SegmentCase[] = [
  ['rows of a matrix, repeated ids', [50, 7], [50], 13, 0, 13],
  ['ids outside [0, numSegments) are skipped', [40, 3], [40], 6, -3, 9],
  ['1-D x', [30], [30], 4, 0, 4],
  ['3-D x', [10, 3, 4], [10], 5, 0, 5],
  ['some segments empty', [5, 2], [5], 20, 0, 20],
  ['one segment', [9, 2], [9], 1, 0, 1],
];

describe('UnsortedSegmentSum on wasm', () => {
  it.each(CASES)('%s: x %j, ids %j, %d segments', async (label, xShape, idsShape, numSegments, idLow, idHigh) => {
    const rng = new SeededRng(label.length * 17 + numSegments);
    const x = randomNormal(rng, xShape);
    const ids = randomIds(rng, idsShape.reduce((p, d) => p * d, 1), idLow, idHigh);
    const segmentSum = () => tf.unsortedSegmentSum(tf.tensor(x.values, x.shape), idsTensor(ids, idsShape), numSegments);
    await tf.setBackend('wasm');
    const before = liveCounts();
    const [actual] = await runOn('wasm', segmentSum);
    expect(liveCounts()).toEqual(before);
    const [expected] = await runOn('cpu', segmentSum);
    expect(actual.shape).toEqual([numSegments, ...xShape.slice(idsShape.length)]);
    expect(actual.shape).toEqual(expected.shape);
    const inner = xShape.slice(idsShape.length).reduce((p, d) => p * d, 1);
    const reference = referenceSegmentSum({ x: x.values, ids, inner, numSegments });
    expect(worstRatio({ actual: actual.values, expected: reference.values, bound: reference.bound })).toBeLessThanOrEqual(1);
    expect(worstRatio({ actual: actual.values, expected: expected.values, bound: reference.bound.map((b) => 2 * b) })).toBeLessThanOrEqual(1);
  });

  it('sums int32 exactly, like the cpu backend', async () => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]], [4, 2], 'int32');
    const ids = tf.tensor1d([2, 0, 2, -1], 'int32');
    await tf.setBackend('wasm');
    const out = tf.unsortedSegmentSum(x, ids, 3);
    expect(out.dtype).toBe('int32');
    expect(out.arraySync()).toEqual([[3, 4], [0, 0], [6, 8]]);
    tf.dispose([x, ids, out]);
  });

  it('accepts ids of rank 2 (TensorFlow: the leading dimensions of x) and rejects ids that are not', async () => {
    await tf.setBackend('wasm');
    const rng = new SeededRng(3);
    const x = randomNormal(rng, [4, 5, 3]);
    const ids = randomIds(rng, 20, 0, 6);
    const [actual] = await runOn('wasm', () => tf.unsortedSegmentSum(tf.tensor(x.values, x.shape), idsTensor(ids, [4, 5]), 6));
    expect(actual.shape).toEqual([6, 3]);
    const reference = referenceSegmentSum({ x: x.values, ids, inner: 3, numSegments: 6 });
    expect(worstRatio({ actual: actual.values, expected: reference.values, bound: reference.bound })).toBeLessThanOrEqual(1);
    const before = liveCounts();
    expect(() => tf.tidy(() => tf.unsortedSegmentSum(tf.ones([4, 5]), tf.zeros([5], 'int32'), 2))).toThrow(/must be a prefix of x shape/);
    expect(liveCounts()).toEqual(before);
  });

  it('gives [0, …] for zero segments', async () => {
    await tf.setBackend('wasm');
    const out = tf.tidy(() => tf.unsortedSegmentSum(tf.ones([3, 2]), tf.tensor1d([0, 1, 0], 'int32'), 0));
    expect(out.shape).toEqual([0, 2]);
    out.dispose();
  });

  it('handles an embedding-sized gradient (8000 × 256 table, 1024 looked-up rows)', async () => {
    // The cpu backend's kernel is O(rows × segments) (one masked sum per segment): 8000 × 262144 here; this one
    // makes a single pass. Checked against the float64 reference only; its speed: tools/bench/bench-kernel-speedups.mjs.
    const rng = new SeededRng(8);
    const rows = randomNormal(rng, [1024, 256]);
    const ids = randomIds(rng, 1024, 0, 8000);
    await tf.setBackend('wasm');
    const before = liveCounts();
    const [actual] = await runOn('wasm', () => tf.unsortedSegmentSum(tf.tensor(rows.values, rows.shape), tf.tensor1d(ids, 'int32'), 8000));
    expect(liveCounts()).toEqual(before);
    const reference = referenceSegmentSum({ x: rows.values, ids, inner: 256, numSegments: 8000 });
    expect(worstRatio({ actual: actual.values, expected: reference.values, bound: reference.bound })).toBeLessThanOrEqual(1);
  });
});

describe('gradient of tf.gather (embedding lookup) on wasm', () => {
  it.each([
    ['axis 0, 2-D indices with repeats', [100, 16], [8, 12], 0],
    ['axis 1', [6, 40, 3], [25], 1],
  ] as Array<[string, number[], number[], number]>)('%s: table %j, indices %j', async (label, tableShape, indicesShape, axis) => {
    const rng = new SeededRng(label.length + 101);
    const table = randomNormal(rng, tableShape);
    const indices = randomIds(rng, indicesShape.reduce((p, d) => p * d, 1), 0, tableShape[axis]);
    const outShape = [...tableShape.slice(0, axis), ...indicesShape, ...tableShape.slice(axis + 1)];
    const w = randomNormal(rng, outShape);
    const gradient = (abs: boolean) => () => {
      const weights = abs ? tf.abs(tf.tensor(w.values, w.shape)) : tf.tensor(w.values, w.shape);
      const picked = (t: tf.Tensor) => tf.gather(t, tf.tensor(indices, indicesShape, 'int32'), axis);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(picked(t), weights)))(tf.tensor(table.values, table.shape));
    };
    const [expected] = await runOn('cpu', gradient(false));
    const [scale] = await runOn('cpu', gradient(true)); // Σ|w| over the places each element was picked
    await tf.setBackend('wasm');
    const before = liveCounts();
    const [actual] = await runOn('wasm', gradient(false));
    expect(liveCounts()).toEqual(before);
    expect(actual.shape).toEqual(tableShape);
    // Each element's gradient is a sum of at most indices.length weights.
    const bound = scale.values.map((s) => 2 * indices.length * EPS32 * s + 1e-30);
    expect(worstRatio({ actual: actual.values, expected: expected.values, bound })).toBeLessThanOrEqual(1);
    expect(expected.values.some((v) => v !== 0) && expected.values.some((v) => v === 0)).toBe(true); // rows picked and not
  });
});

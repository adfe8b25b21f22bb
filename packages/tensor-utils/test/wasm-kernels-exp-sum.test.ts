import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { SeededRng } from '../src/lib/seeded-rng';
import { expConfig } from '../src/lib/wasm-kernels/exp';
import { contiguousReduction, sumConfig } from '../src/lib/wasm-kernels/sum';
import { EPS32, liveCounts, randomNormal, ulp32, worstRatio } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('Exp (project kernel on wasm, csrc/exp.c)', () => {
  it('is the registered wasm Exp', () => {
    expect(tf.getKernel(tf.Exp, 'wasm').kernelFunc).toBe(expConfig.kernelFunc);
  });

  it('is within 2 ulp of the correctly rounded e^x (float64 Math.exp) over the whole float32 range, tails included', () => {
    const rng = new SeededRng(7);
    const random = Array.from({ length: 20_003 }, () => (rng.nextFloat() * 2 - 1) * 110);
    const edges = [0, -0, 1e-8, -1e-8, 0.34657, -0.34657, 1, -1, 88.72, 88.7228, 88.72283, -87.33, -87.34, -100, -103.27, -103.9, 60.5, -60.5];
    const x = Float32Array.from([...edges, ...random]);
    const actual = tf.tidy(() => tf.exp(tf.tensor1d(x)).dataSync());
    const expected = Array.from(x, (value) => Math.fround(Math.exp(value)));
    // Finite results: 2 ulp of the result; results in the subnormal range also carry the final rounding to 2^-149.
    const bound = expected.map((value) => (Number.isFinite(value) ? 2 * ulp32(value) : 0));
    const finite = expected.map((value, i) => (Number.isFinite(value) ? i : -1)).filter((i) => i >= 0);
    expect(worstRatio({ actual: finite.map((i) => actual[i]), expected: finite.map((i) => expected[i]), bound: finite.map((i) => bound[i]) })).toBeLessThanOrEqual(1);
    // Overflow is +inf exactly where float64 e^x rounds to +inf in float32.
    const overflows = expected.map((value, i) => (value === Infinity ? i : -1)).filter((i) => i >= 0);
    expect(overflows.length).toBeGreaterThan(100);
    for (const i of overflows) expect(actual[i]).toBe(Infinity);
  });

  it('keeps NaN, +inf → +inf, -inf → 0, and handles lengths that are not a multiple of the vector width', () => {
    const x = Float32Array.from([NaN, Infinity, -Infinity, 0, 1, 2, 3]);
    const actual = tf.tidy(() => tf.exp(tf.tensor1d(x)).dataSync());
    expect(Number.isNaN(actual[0])).toBe(true);
    expect(actual[1]).toBe(Infinity);
    expect(actual[2]).toBe(0);
    expect(actual[3]).toBe(1);
    expect(Math.abs(actual[6] - Math.exp(3))).toBeLessThanOrEqual(2 * ulp32(Math.exp(3)));
  });

  it('leaves int32 to the stock kernel, and leaks nothing', () => {
    const before = liveCounts();
    const result = tf.tidy(() => Array.from(tf.exp(tf.tensor1d([0, 1], 'int32')).dataSync()));
    expect(result[0]).toBe(1);
    expect(result[1]).toBeCloseTo(Math.E, 5);
    expect(liveCounts()).toEqual(before);
  });
});

describe('contiguousReduction', () => {
  it.each([
    [[1024, 8000], [-1], false, { outer: 1024, reduce: 8000, inner: 1, outShape: [1024] }],
    [[1024, 256], [0], false, { outer: 1, reduce: 1024, inner: 256, outShape: [256] }],
    [[8, 128, 256], [0, 1], true, { outer: 1, reduce: 1024, inner: 256, outShape: [1, 1, 256] }],
    [[4, 1, 5, 6], [0, 2], false, { outer: 1, reduce: 20, inner: 6, outShape: [1, 6] }],
    [[4, 1, 5], [1], false, { outer: 20, reduce: 1, inner: 1, outShape: [4, 5] }],
    [[4, 3], null, false, { outer: 1, reduce: 12, inner: 1, outShape: [] }],
    [[4, 3], null, true, { outer: 1, reduce: 12, inner: 1, outShape: [1, 1] }],
  ] as Array<[number[], number[] | null, boolean, object]>)('shape %j over axes %j (keepDims %s)', (shape, axes, keepDims, view) => {
    expect(contiguousReduction({ shape, axes, keepDims })).toEqual(view);
  });

  it('is undefined for axes that are not one run (those go to the stock kernel)', () => {
    expect(contiguousReduction({ shape: [2, 3, 4], axes: [0, 2], keepDims: false })).toBeUndefined();
  });
});

describe('Sum (project kernel on wasm, csrc/sum.c)', () => {
  it('is the registered wasm Sum', () => {
    expect(tf.getKernel(tf.Sum, 'wasm').kernelFunc).toBe(sumConfig.kernelFunc);
  });

  // Float64 reference; a float32 sum of r terms is within r·eps·Σ|x| of it (each partial sum rounds once).
  it.each([
    ['softmax denominators', [64, 8000], [-1], false],
    ['bias gradient over the batch', [1024, 256], [0], false],
    ['layer-norm gradient over batch and sequence', [8, 128, 256], [0, 1], true],
    ['odd sizes (vector tails)', [3, 37, 19], [1], false],
    ['middle axes', [5, 6, 7, 9], [1, 2], false],
    ['not one run of axes (stock kernel)', [6, 5, 7], [0, 2], false],
    ['every axis', [33, 65], [0, 1], false],
    ['every axis, as tf.sum(x) asks (axis null)', [33, 65], null, false],
  ] as Array<[string, number[], number[] | null, boolean]>)('%s: shape %j over %j equals the float64 sum', (label, shape, requestedAxes, keepDims) => {
    const axes = (requestedAxes ?? shape.map((_, axis) => axis)).map((axis) => (axis < 0 ? axis + shape.length : axis));
    const rng = new SeededRng(label.length);
    const x = randomNormal(rng, shape);
    const before = liveCounts();
    const actual = tf.tidy(() => {
      const result = tf.sum(tf.tensor(x.values, x.shape), requestedAxes ?? undefined, keepDims);
      return { shape: result.shape, values: result.dataSync() };
    });
    expect(liveCounts()).toEqual(before);
    const reference = referenceSum(x, axes);
    const expectedShape = keepDims ? shape.map((size, axis) => (axes.includes(axis) ? 1 : size)) : shape.filter((_, axis) => !axes.includes(axis));
    expect(actual.shape).toEqual(expectedShape);
    const terms = axes.reduce((product, axis) => product * shape[axis], 1);
    const bound = reference.absSums.map((s) => terms * EPS32 * s + 1e-30);
    expect(worstRatio({ actual: actual.values, expected: reference.values, bound })).toBeLessThanOrEqual(1);
  });

  it('leaves int32 to the stock kernel', () => {
    const result = tf.tidy(() => Array.from(tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0).dataSync()));
    expect(result).toEqual([4, 6]);
  });
});

/** Sum over `axes` in float64, with the sum of absolute values for the error bound. */
function referenceSum(x: { values: Float32Array; shape: number[] }, axes: number[]): { values: number[]; absSums: number[] } {
  const { shape } = x;
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const outSize = kept.reduce((product, axis) => product * shape[axis], 1);
  const values = new Array<number>(outSize).fill(0);
  const absSums = new Array<number>(outSize).fill(0);
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((p, s) => p * s, 1));
  for (let flat = 0; flat < x.values.length; flat++) {
    let outIndex = 0;
    for (const axis of kept) outIndex = outIndex * shape[axis] + (Math.floor(flat / strides[axis]) % shape[axis]);
    values[outIndex] += x.values[flat];
    absSums[outIndex] += Math.abs(x.values[flat]);
  }
  return { values, absSums };
}

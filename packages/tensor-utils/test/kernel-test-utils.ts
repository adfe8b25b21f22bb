import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '../src/lib/seeded-rng';

/** float32 unit roundoff. */
export const EPS32 = 2 ** -24;

/** Spacing of float32 values around |value| (2^-149 for subnormals and 0). */
export function ulp32(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(magnitude)) - 23);
}

export function randomNormal(rng: SeededRng, shape: number[]): { values: Float32Array; shape: number[] } {
  const size = shape.reduce((product, dim) => product * dim, 1);
  return { values: Float32Array.from({ length: size }, () => rng.normal()), shape };
}

/**
 * Runs `fn` on the named backend inside tf.tidy and returns its outputs as plain arrays (every tensor is disposed).
 * The backend is switched with tf.setBackend; the wasm backend keeps the kernels registered on it.
 */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Array<{ values: Float32Array; shape: number[] }>> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(fn);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const results = list.map((t) => ({ values: Float32Array.from(t.dataSync()), shape: t.shape }));
  tf.dispose(list);
  return results;
}

/** Tensors and wasm buffers alive now (to check that a kernel frees its temporaries). */
export function liveCounts(): { tensors: number; buffers: number } {
  return { tensors: tf.memory().numTensors, buffers: tf.backend().numDataIds() };
}

/** Largest |actual − expected| / bound over all elements, where bound[i] > 0 is the allowed error of element i. */
export function worstRatio(params: { actual: ArrayLike<number>; expected: ArrayLike<number>; bound: ArrayLike<number> }): number {
  const { actual, expected, bound } = params;
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Number.isNaN(actual[i]) || Number.isNaN(expected[i])) return Infinity;
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / bound[i]);
  }
  return worst;
}

/**
 * Independent reference for tf.matMul: float64 loops with numpy broadcasting of the batch dimensions. Returns the
 * product and |A|·|B| (the scale of the rounding error of any float32 implementation).
 */
export function referenceMatMul(params: {
  a: { values: Float32Array; shape: number[] };
  b: { values: Float32Array; shape: number[] };
  transposeA: boolean;
  transposeB: boolean;
}): { values: Float64Array; scale: Float64Array; shape: number[] } {
  const { a, b, transposeA, transposeB } = params;
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (shape: number[]) => [...new Array(rank - shape.length).fill(1), ...shape];
  const [aPadded, bPadded] = [pad(aBatch), pad(bBatch)];
  const outBatch = aPadded.map((size, i) => Math.max(size, bPadded[i]));
  const batches = outBatch.reduce((p, d) => p * d, 1);
  const values = new Float64Array(batches * m * n);
  const scale = new Float64Array(batches * m * n);
  for (let batch = 0; batch < batches; batch++) {
    // Decompose the output batch index and map it onto each operand (size-1 dimensions repeat).
    let rest = batch;
    let aIndex = 0;
    let bIndex = 0;
    let aStride = 1;
    let bStride = 1;
    for (let axis = rank - 1; axis >= 0; axis--) {
      const position = rest % outBatch[axis];
      rest = Math.floor(rest / outBatch[axis]);
      if (aPadded[axis] !== 1) aIndex += position * aStride;
      if (bPadded[axis] !== 1) bIndex += position * bStride;
      aStride *= aPadded[axis];
      bStride *= bPadded[axis];
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a.values[aIndex * m * k + (transposeA ? p * m + i : i * k + p)];
          const y = b.values[bIndex * k * n + (transposeB ? j * k + p : p * n + j)];
          sum += x * y;
          abs += Math.abs(x * y);
        }
        values[(batch * m + i) * n + j] = sum;
        scale[(batch * m + i) * n + j] = abs;
      }
    }
  }
  return { values, scale, shape: [...outBatch, m, n] };
}

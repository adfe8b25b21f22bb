import { KoenbertError } from '@koenbert/tensor-utils';

/**
 * Cholesky factor L (lower, row-major n × n, float64) of a symmetric positive definite matrix:
 * A = L·Lᵀ. Row-oriented so the inner loops run over contiguous memory. Throws
 * NOT_POSITIVE_DEFINITE (naming the pivot) when A is singular or indefinite to working precision.
 */
export function cholesky(params: { a: Float64Array; n: number }): Float64Array {
  const { a, n } = params;
  const l = new Float64Array(n * n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const tolerance = maxDiag * n * Number.EPSILON;
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let sum = a[rowI + j];
      for (let k = 0; k < j; k++) sum -= l[rowI + k] * l[rowJ + k];
      if (i === j) {
        if (!(sum > tolerance)) {
          throw new KoenbertError({ code: 'NOT_POSITIVE_DEFINITE', message: `matrix is not positive definite (pivot ${i} of ${n} is ${sum.toPrecision(3)})` });
        }
        l[rowI + i] = Math.sqrt(sum);
      } else {
        l[rowI + j] = sum / l[rowJ + j];
      }
    }
  }
  return l;
}

/** Solves L·Lᵀ·X = B for B row-major n × cols (float64); O(n²·cols). */
export function choleskySolve(params: { l: Float64Array; n: number; b: Float64Array; cols: number }): Float64Array {
  const { l, n, cols } = params;
  const x = Float64Array.from(params.b);
  // L·Y = B, row by row
  for (let i = 0; i < n; i++) {
    const row = i * cols;
    for (let k = 0; k < i; k++) {
      const f = l[i * n + k];
      if (f === 0) continue;
      const other = k * cols;
      for (let j = 0; j < cols; j++) x[row + j] -= f * x[other + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < cols; j++) x[row + j] *= inv;
  }
  // Lᵀ·X = Y, bottom up
  for (let i = n - 1; i >= 0; i--) {
    const row = i * cols;
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i];
      if (f === 0) continue;
      const other = k * cols;
      for (let j = 0; j < cols; j++) x[row + j] -= f * x[other + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < cols; j++) x[row + j] *= inv;
  }
  return x;
}

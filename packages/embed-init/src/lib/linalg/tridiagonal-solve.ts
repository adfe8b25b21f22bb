import { KoenbertError } from '@koenbert/tensor-utils';

/**
 * Solves (T + shift·I)·X = B for a symmetric tridiagonal T (diag, off) that is positive definite
 * after the shift, with B row-major n × cols. LDLᵀ without pivoting (stable for positive definite
 * T): O(n·cols). Throws NOT_POSITIVE_DEFINITE when a pivot is not positive.
 */
export function solveShiftedTridiagonal(params: { diag: Float64Array; off: Float64Array; shift: number; b: Float64Array; cols: number }): Float64Array {
  const { diag, off, shift, b, cols } = params;
  const n = diag.length;
  const pivot = new Float64Array(n);
  const lower = new Float64Array(n);
  pivot[0] = diag[0] + shift;
  for (let i = 1; i < n; i++) {
    if (!(pivot[i - 1] > 0)) break;
    lower[i] = off[i - 1] / pivot[i - 1];
    pivot[i] = diag[i] + shift - lower[i] * off[i - 1];
  }
  for (let i = 0; i < n; i++) {
    if (!(pivot[i] > 0)) {
      throw new KoenbertError({ code: 'NOT_POSITIVE_DEFINITE', message: `shifted tridiagonal matrix is not positive definite (pivot ${i} is ${pivot[i]})` });
    }
  }
  const x = Float64Array.from(b);
  // L·y = b
  for (let i = 1; i < n; i++) {
    const l = lower[i];
    const row = i * cols;
    const prev = row - cols;
    for (let j = 0; j < cols; j++) x[row + j] -= l * x[prev + j];
  }
  // D·Lᵀ·x = y
  for (let i = n - 1; i >= 0; i--) {
    const row = i * cols;
    const inv = 1 / pivot[i];
    if (i === n - 1) {
      for (let j = 0; j < cols; j++) x[row + j] *= inv;
      continue;
    }
    const l = lower[i + 1];
    const next = row + cols;
    for (let j = 0; j < cols; j++) x[row + j] = x[row + j] * inv - l * x[next + j];
  }
  return x;
}

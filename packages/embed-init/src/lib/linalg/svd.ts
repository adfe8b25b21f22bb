import { KoenbertError } from '@koenbert/tensor-utils';
import { matMulF64 } from './mat-mul-f64';
import { symmetricEigen } from './symmetric-eigen';

/** Thin SVD M = U·diag(s)·Vᵀ of an r × c matrix, k = min(r, c). */
export interface Svd {
  rows: number;
  cols: number;
  k: number;
  /** r × k, orthonormal columns. */
  u: Float64Array;
  /** k singular values, descending. */
  s: Float64Array;
  /** c × k, orthonormal columns. */
  v: Float64Array;
}

/**
 * Thin SVD through the symmetric eigen-decomposition of the smaller Gram matrix: for c ≤ r,
 * MᵀM = V·diag(s²)·Vᵀ and U = M·V·diag(1/s). Columns of U whose singular value is below
 * `relativeTolerance`·s₀ (default 1e-7) are completed to an orthonormal set by Gram–Schmidt: through
 * the squaring, U = M·V/s would be off by ~ε·s₀/s there. Singular values below √ε·s₀ lose relative
 * accuracy for the same reason; the subspaces of the large ones (all an orthogonal Procrustes map
 * depends on) are accurate to rounding.
 */
export function svd(params: { m: Float64Array; rows: number; cols: number; relativeTolerance?: number }): Svd {
  const { m, rows, cols } = params;
  if (m.length !== rows * cols) throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `svd: ${m.length} values for ${rows} × ${cols}` });
  if (cols > rows) {
    const t = transpose(m, rows, cols);
    const result = svd({ m: t, rows: cols, cols: rows, relativeTolerance: params.relativeTolerance });
    return { rows, cols, k: result.k, u: result.v, s: result.s, v: result.u };
  }
  const k = cols;
  const gram = matMulF64({ a: m, b: m, m: cols, k: rows, n: cols, transposeA: true });
  const eigen = symmetricEigen({ a: gram, n: cols });
  const s = new Float64Array(k);
  for (let i = 0; i < k; i++) s[i] = Math.sqrt(Math.max(0, eigen.values[i]));
  // eigen.vectors holds Vᵀ (rows are eigenvectors); V = its transpose.
  const v = transpose(eigen.vectors, k, cols);
  const mv = matMulF64({ a: m, b: v, m: rows, k: cols, n: k });
  const u = new Float64Array(rows * k);
  const tolerance = (params.relativeTolerance ?? 1e-7) * (s[0] || 0);
  const kept: number[] = [];
  for (let j = 0; j < k; j++) {
    if (s[j] > tolerance && s[j] > 0) {
      for (let i = 0; i < rows; i++) u[i * k + j] = mv[i * k + j] / s[j];
      kept.push(j);
    }
  }
  if (kept.length < k) completeOrthonormalColumns({ u, rows, k, kept });
  return { rows, cols, k, u, s, v };
}

function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

/** Fills the columns of u not in `kept` with unit vectors orthogonal to all others (Gram–Schmidt on e₀, e₁, …). */
function completeOrthonormalColumns(params: { u: Float64Array; rows: number; k: number; kept: number[] }): void {
  const { u, rows, k } = params;
  const done = [...params.kept];
  const column = new Float64Array(rows);
  let candidate = 0;
  for (let j = 0; j < k; j++) {
    if (done.includes(j)) continue;
    for (;;) {
      if (candidate >= rows) throw new KoenbertError({ code: 'SVD_FAILED', message: 'svd: could not complete an orthonormal basis' });
      column.fill(0);
      column[candidate++] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const other of done) {
          let dot = 0;
          for (let i = 0; i < rows; i++) dot += u[i * k + other] * column[i];
          for (let i = 0; i < rows; i++) column[i] -= dot * u[i * k + other];
        }
      }
      let norm = 0;
      for (let i = 0; i < rows; i++) norm += column[i] * column[i];
      norm = Math.sqrt(norm);
      if (norm > 0.5) {
        for (let i = 0; i < rows; i++) u[i * k + j] = column[i] / norm;
        done.push(j);
        break;
      }
    }
  }
}

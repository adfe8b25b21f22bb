import { KoenbertError } from '@koenbert/tensor-utils';
import { householderQ, tridiagonalize } from './tridiagonalize';

export interface SymmetricEigen {
  n: number;
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Eigenvectors as ROWS (row-major n × n): A·vectors[i] = values[i]·vectors[i]. */
  vectors: Float64Array;
}

const MAX_ITERATIONS_PER_VALUE = 60;

/**
 * Eigen-decomposition of a symmetric matrix (row-major n × n, float64): Householder reduction to
 * tridiagonal form, then the implicit QL algorithm with Wilkinson-style shifts on the tridiagonal
 * matrix. The Givens rotations are applied to the rows of Qᵀ, so the result holds A's eigenvectors
 * (as rows, each of unit length, mutually orthogonal).
 */
export function symmetricEigen(params: { a: Float64Array; n: number }): SymmetricEigen {
  const { n } = params;
  const tridiagonal = tridiagonalize({ a: params.a, n });
  const d = tridiagonal.diag;
  const q = householderQ(tridiagonal);
  // e[i] couples d[i] and d[i+1]; e[n-1] = 0 is a sentinel.
  const e = new Float64Array(n);
  e.set(tridiagonal.off);
  // z holds Qᵀ: row i is column i of Q. A rotation of columns (i, i+1) of Q is a rotation of rows (i, i+1) here.
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) z[i * n + j] = q[j * n + i];

  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const scale = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * scale) break;
      }
      if (m === l) break;
      if (++iterations > MAX_ITERATIONS_PER_VALUE) {
        throw new KoenbertError({ code: 'EIGEN_NO_CONVERGENCE', message: `symmetric eigen-decomposition did not converge for value ${l} of ${n}` });
      }
      // Shift: the eigenvalue of the leading 2 × 2 block closer to d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        const rowI = i * n;
        const rowJ = (i + 1) * n;
        for (let k = 0; k < n; k++) {
          const zi = z[rowI + k];
          const zj = z[rowJ + k];
          z[rowJ + k] = s * zi + c * zj;
          z[rowI + k] = c * zi - s * zj;
        }
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, to) => {
    values[to] = d[from];
    vectors.set(z.subarray(from * n, (from + 1) * n), to * n);
  });
  return { n, values, vectors };
}

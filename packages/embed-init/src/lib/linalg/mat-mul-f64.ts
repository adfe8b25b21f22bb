/**
 * C = op(A)·B in float64, row-major: A is m × k (or k × m with transposeA), B is k × n. The i-k-j loop
 * order keeps the inner loop on contiguous rows, four rows of C at a time so each element of B read
 * serves four of them. For the products where float64 matters (Gram matrices inside the SVD); the
 * large float32 products go through `tfMatMul`.
 */
export function matMulF64(params: { a: Float64Array; b: Float64Array; m: number; k: number; n: number; transposeA?: boolean }): Float64Array {
  const { a, b, m, k, n, transposeA } = params;
  const at = (i: number, p: number): number => (transposeA ? a[p * m + i] : a[i * k + p]);
  const c = new Float64Array(m * n);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    for (let p = 0; p < k; p++) {
      const a0 = at(i, p);
      const a1 = at(i + 1, p);
      const a2 = at(i + 2, p);
      const a3 = at(i + 3, p);
      const rowB = p * n;
      for (let j = 0; j < n; j++) {
        const bj = b[rowB + j];
        c[r0 + j] += a0 * bj;
        c[r1 + j] += a1 * bj;
        c[r2 + j] += a2 * bj;
        c[r3 + j] += a3 * bj;
      }
    }
  }
  for (; i < m; i++) {
    const rowC = i * n;
    for (let p = 0; p < k; p++) {
      const aip = at(i, p);
      if (aip === 0) continue;
      const rowB = p * n;
      for (let j = 0; j < n; j++) c[rowC + j] += aip * b[rowB + j];
    }
  }
  return c;
}

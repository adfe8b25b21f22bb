/** A = Q·T·Qᵀ with T symmetric tridiagonal and Q orthogonal. */
export interface Tridiagonal {
  n: number;
  /** T's diagonal (n values). */
  diag: Float64Array;
  /** T's off-diagonal: off[i] = T[i][i+1] = T[i+1][i] (n − 1 values). */
  off: Float64Array;
  /** The Householder vectors: H_k = I − tau[k]·v_k·v_kᵀ acts on indices k+1…n−1; v_k is row k of `vectors` (n × n, zero up to index k). */
  reflectors: { vectors: Float64Array; tau: Float64Array };
}

/**
 * Householder reduction of a symmetric matrix (row-major n × n, float64; only the lower triangle is
 * read) to tridiagonal form: A = Q·T·Qᵀ with Q = H₀·H₁·…·H_{n−3}.
 *
 * Step k reflects column k below the subdiagonal onto its first entry with H = I − τ·v·vᵀ and applies
 * H·B·H to the trailing block B as the symmetric rank-2 update B − v·wᵀ − w·vᵀ (p = τ·B·v,
 * w = p − (τ/2)(vᵀp)·v). The update of step k and the product B·v of step k+1 share one pass over
 * the lower triangle (~4n³/3 flops in all, one pass over the matrix per step).
 */
export function tridiagonalize(params: { a: Float64Array; n: number }): Tridiagonal {
  const { n } = params;
  const a = Float64Array.from(params.a);
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(0, n - 1));
  const vectors = new Float64Array(n * n);
  const tau = new Float64Array(n);
  let p = new Float64Array(n);
  let nextP = new Float64Array(n);
  const w = new Float64Array(n);

  // Reflector for column k, read from the lower triangle; returns τ (0 = no reflection needed).
  const makeReflector = (k: number): number => {
    const v = vectors.subarray(k * n, (k + 1) * n);
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) {
      const x = a[i * n + k];
      v[i] = x;
      norm2 += x * x;
    }
    const x0 = v[k + 1];
    if (norm2 - x0 * x0 === 0) {
      off[k] = x0;
      v.fill(0, k + 1);
      return 0;
    }
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    v[k + 1] = x0 - alpha;
    off[k] = alpha;
    // ‖v‖² = ‖x‖² − 2α·x₀ + α² = −2α·v₀ (‖x‖² = α²), positive because α and x₀ differ in sign.
    return 1 / (-alpha * v[k + 1]);
  };

  // p = τ·B·v for step 0, from the lower triangle.
  if (n > 2) {
    tau[0] = makeReflector(0);
    const v = vectors.subarray(0, n);
    for (let i = 1; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      let sum = a[row + i] * vi;
      for (let j = 1; j < i; j++) {
        const aij = a[row + j];
        sum += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += sum;
    }
    for (let i = 1; i < n; i++) p[i] *= tau[0];
  }

  for (let k = 0; k < n - 2; k++) {
    diag[k] = a[k * n + k];
    const t = tau[k];
    if (t === 0) {
      // No reflection: the trailing block is unchanged; B·v for the next step needs a plain pass.
      if (k + 1 < n - 2) {
        tau[k + 1] = makeReflector(k + 1);
        plainProduct(a, n, k + 2, vectors.subarray((k + 1) * n, (k + 2) * n), tau[k + 1], nextP);
      }
      [p, nextP] = [nextP, p];
      nextP.fill(0);
      continue;
    }
    const v = vectors.subarray(k * n, (k + 1) * n);
    let vp = 0;
    for (let i = k + 1; i < n; i++) vp += v[i] * p[i];
    const half = (t * vp) / 2;
    for (let i = k + 1; i < n; i++) w[i] = p[i] - half * v[i];
    // Update column k+1 (the next reflector's source) first.
    const c = k + 1;
    for (let i = c; i < n; i++) a[i * n + c] -= v[i] * w[c] + w[i] * v[c];
    const hasNext = c < n - 2;
    const tn = hasNext ? makeReflector(c) : 0;
    if (hasNext) tau[c] = tn;
    const s = c + 1;
    if (hasNext && tn !== 0) {
      updateAndMultiply({ a, n, start: s, v, w, next: vectors.subarray(c * n, (c + 1) * n), out: nextP });
      for (let i = s; i < n; i++) nextP[i] *= tn;
    } else {
      for (let i = s; i < n; i++) {
        const row = i * n;
        const vi = v[i];
        const wi = w[i];
        for (let j = s; j <= i; j++) a[row + j] -= vi * w[j] + wi * v[j];
      }
    }
    [p, nextP] = [nextP, p];
    nextP.fill(0);
  }
  if (n >= 2) {
    diag[n - 2] = a[(n - 2) * n + n - 2];
    off[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) diag[n - 1] = a[(n - 1) * n + n - 1];
  return { n, diag, off, reflectors: { vectors, tau } };
}

/**
 * On the lower triangle of the trailing block (indices ≥ start): B ← B − v·wᵀ − w·vᵀ, and
 * out += B·next with the updated B. Rows go four at a time so each load of v, w, next and out
 * serves four matrix entries (the hot loop of the reduction).
 */
function updateAndMultiply(params: { a: Float64Array; n: number; start: number; v: Float64Array; w: Float64Array; next: Float64Array; out: Float64Array }): void {
  const { a, n, start: s, v, w, next: u, out } = params;
  let i = s;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const v0 = v[i], w0 = w[i], u0 = u[i];
    const v1 = v[i + 1], w1 = w[i + 1], u1 = u[i + 1];
    const v2 = v[i + 2], w2 = w[i + 2], u2 = u[i + 2];
    const v3 = v[i + 3], w3 = w[i + 3], u3 = u[i + 3];
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = s; j < i; j++) {
      const wj = w[j];
      const vj = v[j];
      const uj = u[j];
      const a0 = a[r0 + j] - (v0 * wj + w0 * vj);
      const a1 = a[r1 + j] - (v1 * wj + w1 * vj);
      const a2 = a[r2 + j] - (v2 * wj + w2 * vj);
      const a3 = a[r3 + j] - (v3 * wj + w3 * vj);
      a[r0 + j] = a0;
      a[r1 + j] = a1;
      a[r2 + j] = a2;
      a[r3 + j] = a3;
      s0 += a0 * uj;
      s1 += a1 * uj;
      s2 += a2 * uj;
      s3 += a3 * uj;
      out[j] += a0 * u0 + a1 * u1 + a2 * u2 + a3 * u3;
    }
    out[i] += s0;
    out[i + 1] += s1;
    out[i + 2] += s2;
    out[i + 3] += s3;
    // The 4 × 4 diagonal block, lower triangle with diagonal.
    for (let r = i; r < i + 4; r++) updateRowTail(a, n, r, i, v, w, u, out);
  }
  for (; i < n; i++) updateRowTail(a, n, i, s, v, w, u, out);
}

/** Row r, columns from … r (diagonal included) of updateAndMultiply. */
function updateRowTail(a: Float64Array, n: number, r: number, from: number, v: Float64Array, w: Float64Array, u: Float64Array, out: Float64Array): void {
  const row = r * n;
  const vr = v[r];
  const wr = w[r];
  const ur = u[r];
  let sum = 0;
  for (let j = from; j < r; j++) {
    const arj = a[row + j] - (vr * w[j] + wr * v[j]);
    a[row + j] = arj;
    sum += arj * u[j];
    out[j] += arj * ur;
  }
  const arr = a[row + r] - 2 * vr * wr;
  a[row + r] = arr;
  out[r] += sum + arr * ur;
}

/** out = τ·B·v over the trailing block starting at `start`, from the lower triangle. */
function plainProduct(a: Float64Array, n: number, start: number, v: Float64Array, tau: number, out: Float64Array): void {
  out.fill(0);
  for (let i = start; i < n; i++) {
    const row = i * n;
    const vi = v[i];
    let sum = a[row + i] * vi;
    for (let j = start; j < i; j++) {
      const aij = a[row + j];
      sum += aij * v[j];
      out[j] += aij * vi;
    }
    out[i] += sum;
  }
  for (let i = start; i < n; i++) out[i] *= tau;
}

/** Q = H₀·H₁·…·H_{n−3} as a row-major n × n matrix (float64), accumulated backwards: ~4n³/3 flops. */
export function householderQ(t: Tridiagonal): Float64Array {
  const { n } = t;
  const { vectors, tau } = t.reflectors;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    if (tau[k] === 0) continue;
    const v = vectors.subarray(k * n, (k + 1) * n);
    const base = k + 1;
    u.fill(0);
    for (let i = base; i < n; i++) {
      const row = i * n;
      const vi = v[i];
      for (let j = base; j < n; j++) u[j] += vi * q[row + j];
    }
    for (let i = base; i < n; i++) {
      const row = i * n;
      const f = tau[k] * v[i];
      for (let j = base; j < n; j++) q[row + j] -= f * u[j];
    }
  }
  return q;
}

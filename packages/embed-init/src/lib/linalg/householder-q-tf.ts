import * as tf from '@tensorflow/tfjs';
import type { Tridiagonal } from './tridiagonalize';

/**
 * Q = H₀·H₁·…·H_{n−3} of a Householder tridiagonalisation, built through tfjs matMul (float32) in
 * blocks of `blockSize` reflectors in compact WY form: H_s⋯H_{s+b−1} = I − V·T·Vᵀ with T upper
 * triangular, T[i][i] = τ_i and T[0:i, i] = −τ_i·T[0:i, 0:i]·V[:, 0:i]ᵀ·v_i.
 *
 * Blocks are applied right to left, Q ← Q − V·(T·(Vᵀ·Q)). Before the block starting at reflector s is
 * applied, Q is the identity on indices ≤ s, so only its trailing block (indices > s) is kept and
 * grown by an identity border as s falls: ~4n³/3 flops, all in 2-D matMul. Same Q as `householderQ`
 * to float32 rounding.
 */
export function householderQTf(params: { tridiagonal: Tridiagonal; blockSize?: number }): Float32Array {
  const { n, reflectors } = params.tridiagonal;
  const blockSize = params.blockSize ?? 32;
  const count = Math.max(0, n - 2);
  if (count === 0) return identity(n);
  // trailing: the block of Q on indices ≥ offset.
  let offset = n;
  let trailing: tf.Tensor2D | null = null;
  for (let end = count; end > 0; end -= blockSize) {
    const start = Math.max(0, end - blockSize);
    const b = end - start;
    const newOffset = start + 1;
    const m = n - newOffset;
    const vt = new Float32Array(b * m);
    for (let r = 0; r < b; r++) {
      const source = (start + r) * n + newOffset;
      for (let j = 0; j < m; j++) vt[r * m + j] = reflectors.vectors[source + j];
    }
    const t = compactWyT({ vectors: reflectors.vectors, tau: reflectors.tau, n, start, b });
    const previous: tf.Tensor2D | null = trailing;
    const grow = offset - newOffset;
    trailing = tf.tidy((): tf.Tensor2D => {
      const q: tf.Tensor2D = previous === null ? tf.eye(m) : tf.pad(previous, [[grow, 0], [grow, 0]]).add(borderIdentity(m, grow));
      const vtT = tf.tensor2d(vt, [b, m]);
      const vT = tf.transpose(vtT);
      const tT = tf.tensor2d(t, [b, b]);
      return tf.sub(q, tf.matMul(vT, tf.matMul(tT, tf.matMul(vtT, q))));
    });
    previous?.dispose();
    offset = newOffset;
  }
  const block = trailing!.dataSync() as Float32Array;
  trailing!.dispose();
  const q = identity(n);
  const m = n - offset;
  for (let i = 0; i < m; i++) q.set(block.subarray(i * m, (i + 1) * m), (offset + i) * n + offset);
  return q;
}

function identity(n: number): Float32Array {
  const q = new Float32Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  return q;
}

/** An m × m matrix with ones on the first `count` diagonal entries. */
function borderIdentity(m: number, count: number): tf.Tensor2D {
  const diagonal = new Float32Array(m);
  diagonal.fill(1, 0, count);
  return tf.diag(tf.tensor1d(diagonal)) as tf.Tensor2D;
}

/** T of the compact WY form for reflectors start … start+b−1 (float64 → float32). */
function compactWyT(params: { vectors: Float64Array; tau: Float64Array; n: number; start: number; b: number }): Float32Array {
  const { vectors, tau, n, start, b } = params;
  const t = new Float64Array(b * b);
  const dots = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    const ti = tau[start + i];
    t[i * b + i] = ti;
    if (i === 0) continue;
    const vi = (start + i) * n;
    for (let j = 0; j < i; j++) {
      const vj = (start + j) * n;
      let sum = 0;
      // v_{start+i} is zero up to index start+i.
      for (let k = start + i + 1; k < n; k++) sum += vectors[vj + k] * vectors[vi + k];
      dots[j] = sum;
    }
    for (let r = 0; r < i; r++) {
      let sum = 0;
      for (let j = r; j < i; j++) sum += t[r * b + j] * dots[j];
      t[r * b + i] = -ti * sum;
    }
  }
  return Float32Array.from(t);
}

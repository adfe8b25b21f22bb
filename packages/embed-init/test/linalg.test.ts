import * as tf from '@tensorflow/tfjs';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { cholesky, choleskySolve } from '../src/lib/linalg/cholesky';
import { householderQTf } from '../src/lib/linalg/householder-q-tf';
import { matMulF64 } from '../src/lib/linalg/mat-mul-f64';
import { svd } from '../src/lib/linalg/svd';
import { symmetricEigen } from '../src/lib/linalg/symmetric-eigen';
import { solveShiftedTridiagonal } from '../src/lib/linalg/tridiagonal-solve';
import { householderQ, tridiagonalize } from '../src/lib/linalg/tridiagonalize';
import { loadGolden, relativeError } from './helpers/golden';

const golden = loadGolden();

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = new SeededRng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

/** B·Bᵀ + shift·I: symmetric, positive definite for shift > 0. */
function spd(n: number, seed: number, shift = 1): Float64Array {
  const b = randomMatrix(n, n, seed);
  const a = matMulF64({ a: b, b: transpose(b, n, n), m: n, k: n, n });
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  return a;
}

function transpose(m: Float64Array | Float32Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
  return t;
}

/** max |QᵀQ − I| for an n × k matrix with (supposedly) orthonormal columns. */
function orthogonalityError(q: ArrayLike<number>, n: number, k: number): number {
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * k + a] * q[i * k + b];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('tridiagonalize', () => {
  it.each([1, 2, 3, 4, 5, 6, 9, 37])('A = Q·T·Qᵀ for a symmetric n × n matrix, n = %i (float64 and tfjs Q)', (n) => {
    const a = spd(n, n, -0.5 * n);
    const t = tridiagonalize({ a, n });
    const q = householderQ(t);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      dense[i * n + i] = t.diag[i];
      if (i + 1 < n) dense[i * n + i + 1] = dense[(i + 1) * n + i] = t.off[i];
    }
    const qt = matMulF64({ a: q, b: dense, m: n, k: n, n });
    const back = matMulF64({ a: qt, b: transpose(q, n, n), m: n, k: n, n });
    expect(relativeError(back, a)).toBeLessThan(1e-13);
    expect(orthogonalityError(q, n, n)).toBeLessThan(1e-13);
    const before = tf.memory().numTensors;
    const qTf = householderQTf({ tridiagonal: t, blockSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(relativeError(qTf, q)).toBeLessThan(1e-5);
  });

  it('skips columns that are already reduced (a diagonal matrix stays as it is)', () => {
    const a = Float64Array.from([2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 5, 0, 0, 0, 0, 7]);
    const t = tridiagonalize({ a, n: 4 });
    expect([...t.diag]).toEqual([2, 3, 5, 7]);
    expect([...t.off]).toEqual([0, 0, 0]);
    expect(relativeError(householderQ(t), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])).toBe(0);
  });
});

describe('symmetricEigen', () => {
  it.each(golden.eigen.map((c) => [c.n, c] as const))('matches numpy.linalg.eigvalsh on an indefinite n × n matrix, n = %i', (n, c) => {
    const a = Float64Array.from(c.matrix);
    const { values, vectors } = symmetricEigen({ a, n });
    expect(relativeError(values, c.values)).toBeLessThan(1e-12);
    expect(orthogonalityError(transpose(vectors, n, n), n, n)).toBeLessThan(1e-12);
    // A·v = λ·v for every pair
    for (let r = 0; r < n; r++) {
      const v = vectors.subarray(r * n, (r + 1) * n);
      const av = matMulF64({ a, b: v, m: n, k: n, n: 1 });
      const expected = v.map((x) => x * values[r]);
      expect(relativeError(av, expected) * Math.max(1, Math.abs(values[r]))).toBeLessThan(1e-10 * Math.max(...c.values.map(Math.abs)));
    }
  });

  it('handles repeated eigenvalues (identity plus a rank-one term)', () => {
    const n = 6;
    const u = randomMatrix(n, 1, 3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 2 : 0) + u[i] * u[j];
    const { values, vectors } = symmetricEigen({ a, n });
    const norm2 = u.reduce((s, x) => s + x * x, 0);
    expect(values[0]).toBeCloseTo(2 + norm2, 12);
    for (let i = 1; i < n; i++) expect(values[i]).toBeCloseTo(2, 12);
    expect(orthogonalityError(transpose(vectors, n, n), n, n)).toBeLessThan(1e-12);
  });
});

describe('svd', () => {
  it.each(golden.svd.map((c) => [c.rows, c.cols, c] as const))('matches numpy.linalg.svd on a %i × %i matrix and reconstructs it', (rows, cols, c) => {
    const m = Float64Array.from(c.matrix);
    const { u, s, v, k } = svd({ m, rows, cols });
    expect(k).toBe(Math.min(rows, cols));
    expect(relativeError(s, c.values)).toBeLessThan(1e-10);
    expect(orthogonalityError(u, rows, k)).toBeLessThan(1e-9);
    expect(orthogonalityError(v, cols, k)).toBeLessThan(1e-12);
    const us = u.map((value, index) => value * s[index % k]);
    const back = matMulF64({ a: us, b: transpose(v, cols, k), m: rows, k, n: cols });
    expect(relativeError(back, m)).toBeLessThan(1e-10);
  });

  it('completes U with orthonormal columns when M is rank-deficient', () => {
    // rank 2: the third column is the sum of the first two, the fourth is zero
    const rows = 5;
    const base = randomMatrix(rows, 2, 11);
    const m = new Float64Array(rows * 4);
    for (let i = 0; i < rows; i++) {
      m[i * 4] = base[i * 2];
      m[i * 4 + 1] = base[i * 2 + 1];
      m[i * 4 + 2] = base[i * 2] + base[i * 2 + 1];
    }
    const { u, s, v } = svd({ m, rows, cols: 4 });
    expect(s[2]).toBeLessThan(1e-7 * s[0]);
    expect(s[3]).toBeLessThan(1e-7 * s[0]);
    expect(orthogonalityError(u, rows, 4)).toBeLessThan(1e-9);
    const us = u.map((value, index) => value * s[index % 4]);
    expect(relativeError(matMulF64({ a: us, b: transpose(v, 4, 4), m: rows, k: 4, n: 4 }), m)).toBeLessThan(1e-7);
  });
});

describe('cholesky', () => {
  it('solves L·Lᵀ·X = B for several right-hand sides', () => {
    const n = 12;
    const a = spd(n, 5);
    const b = randomMatrix(n, 3, 6);
    const x = choleskySolve({ l: cholesky({ a, n }), n, b, cols: 3 });
    expect(relativeError(matMulF64({ a, b: x, m: n, k: n, n: 3 }), b)).toBeLessThan(1e-12);
  });

  it('refuses a singular matrix', () => {
    const a = Float64Array.from([1, 2, 2, 4]);
    expect(() => cholesky({ a, n: 2 })).toThrow(/not positive definite \(pivot 1 of 2/);
  });
});

describe('solveShiftedTridiagonal', () => {
  it('solves (T + λI)·X = B like a dense solve', () => {
    const n = 9;
    const rng = new SeededRng(8);
    const diag = Float64Array.from({ length: n }, () => 2 + rng.nextFloat());
    const off = Float64Array.from({ length: n - 1 }, () => rng.normal());
    const b = randomMatrix(n, 4, 9);
    const shift = 3.5;
    const x = solveShiftedTridiagonal({ diag, off, shift, b, cols: 4 });
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      dense[i * n + i] = diag[i] + shift;
      if (i + 1 < n) dense[i * n + i + 1] = dense[(i + 1) * n + i] = off[i];
    }
    expect(relativeError(matMulF64({ a: dense, b: x, m: n, k: n, n: 4 }), b)).toBeLessThan(1e-12);
  });

  it('refuses a shift that leaves T indefinite', () => {
    expect(() => solveShiftedTridiagonal({ diag: Float64Array.from([1, 1]), off: Float64Array.from([2]), shift: 0, b: Float64Array.from([1, 1]), cols: 1 })).toThrow(
      /not positive definite/,
    );
  });
});

import * as tf from '@tensorflow/tfjs';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import type { Matrix } from '../src/lib/matrix';
import { applyLinearMap } from '../src/lib/strategies/linear-map';
import { fitLstsq } from '../src/lib/strategies/lstsq';
import { fitProcrustes } from '../src/lib/strategies/procrustes';
import { fitRidge } from '../src/lib/strategies/ridge';
import { assignFolds } from '../src/lib/strategies/fold-statistics';
import { loadGolden, relativeError, type GoldenRegression } from './helpers/golden';

const golden = loadGolden();

function matrices(c: GoldenRegression): { x: Matrix; y: Matrix } {
  return { x: { rows: c.n, cols: c.d, data: Float32Array.from(c.x) }, y: { rows: c.n, cols: c.e, data: Float32Array.from(c.y) } };
}

function randomMatrix(rows: number, cols: number, rng: SeededRng, scale = 1): Float32Array {
  return Float32Array.from({ length: rows * cols }, () => scale * rng.normal());
}

/** y = x·A + b exactly (computed in float64, stored as float32). */
function exactTargets(x: Matrix, a: Float64Array, b: Float64Array): Matrix {
  const e = b.length;
  const data = new Float32Array(x.rows * e);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < e; j++) {
      let sum = b[j];
      for (let k = 0; k < x.cols; k++) sum += x.data[i * x.cols + k] * a[k * e + j];
      data[i * e + j] = sum;
    }
  }
  return { rows: x.rows, cols: e, data };
}

let tensorsBefore = 0;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

// Inputs are float32; the Gram matrices are accumulated in float32 by tfjs matMul, the solves run in
// float64. Against numpy's float64 results that leaves ~1e-6 relative error; 2e-5 is the bound.
const TOLERANCE = 2e-5;

describe.each(golden.regression.map((c) => [c.name, c] as const))('closed forms against numpy: %s', (_name, c) => {
  it('ridge with a fixed λ', () => {
    const fit = fitRidge({ ...matrices(c), lambda: c.ridgeFixed.lambda });
    expect(relativeError(fit.map.weight, c.ridgeFixed.weight)).toBeLessThan(TOLERANCE);
    expect(relativeError(fit.map.bias, c.ridgeFixed.bias)).toBeLessThan(TOLERANCE);
    expect(fit.cv).toEqual([]);
  });

  it('ridge with λ chosen by k-fold cross-validation (same folds as numpy)', () => {
    const fit = fitRidge({ ...matrices(c), alphas: c.alphas, foldOf: Int32Array.from(c.foldOf) });
    expect(fit.alpha).toBe(c.ridgeCv.bestAlpha);
    expect(fit.folds).toBe(Math.max(...c.foldOf) + 1);
    fit.cv.forEach((point, i) => {
      expect(point.alpha).toBe(c.ridgeCv.curve[i].alpha);
      expect(Math.abs(point.lambda - c.ridgeCv.curve[i].lambda) / c.ridgeCv.curve[i].lambda).toBeLessThan(1e-5);
      expect(Math.abs(point.mse - c.ridgeCv.curve[i].mse) / c.ridgeCv.curve[i].mse).toBeLessThan(1e-5);
    });
    expect(relativeError(fit.map.weight, c.ridgeCv.weight)).toBeLessThan(TOLERANCE);
    expect(relativeError(fit.map.bias, c.ridgeCv.bias)).toBeLessThan(TOLERANCE);
  });

  it('lstsq (numpy solves it by SVD, not normal equations)', () => {
    const map = fitLstsq(matrices(c));
    expect(relativeError(map.weight, c.lstsq.weight)).toBeLessThan(TOLERANCE);
    expect(relativeError(map.bias, c.lstsq.bias)).toBeLessThan(TOLERANCE);
  });

  it('procrustes with and without scale', () => {
    const scaled = fitProcrustes({ ...matrices(c), scale: true });
    expect(Math.abs(scaled.scale - c.procrustes.scale) / c.procrustes.scale).toBeLessThan(TOLERANCE);
    expect(relativeError(scaled.map.weight, c.procrustes.weight)).toBeLessThan(TOLERANCE);
    expect(relativeError(scaled.map.bias, c.procrustes.bias)).toBeLessThan(TOLERANCE);
    const plain = fitProcrustes({ ...matrices(c), scale: false });
    expect(plain.scale).toBe(1);
    expect(relativeError(plain.map.weight, c.procrustesNoScale.weight)).toBeLessThan(TOLERANCE);
    expect(relativeError(plain.map.bias, c.procrustesNoScale.bias)).toBeLessThan(TOLERANCE);
  });
});

describe('exact synthetic case: y = x·A + b', () => {
  const rng = new SeededRng(42);
  const d = 10;
  const e = 6;
  const x: Matrix = { rows: 80, cols: d, data: randomMatrix(80, d, rng) };
  const a = Float64Array.from(randomMatrix(d, e, rng));
  const b = Float64Array.from({ length: e }, (_, j) => 3 - j);
  const y = exactTargets(x, a, b);

  it('ridge with a tiny λ recovers A and b to 1e-5', () => {
    const fit = fitRidge({ x, y, lambda: 1e-9 });
    expect(relativeError(fit.map.weight, a)).toBeLessThan(1e-5);
    expect(relativeError(fit.map.bias, b)).toBeLessThan(1e-5);
  });

  it('lstsq recovers A and b to 1e-5', () => {
    const map = fitLstsq({ x, y });
    expect(relativeError(map.weight, a)).toBeLessThan(1e-5);
    expect(relativeError(map.bias, b)).toBeLessThan(1e-5);
    const mapped = applyLinearMap({ map, x });
    expect(relativeError(mapped.data, y.data)).toBeLessThan(1e-5);
  });

  it('cross-validation on exact data picks the smallest λ of the grid', () => {
    const fit = fitRidge({ x, y, alphas: [1e-6, 1e-3, 1], folds: 4, seed: 1 });
    expect(fit.alpha).toBe(1e-6);
    expect(fit.cv[0].mse).toBeLessThan(fit.cv[1].mse);
    expect(fit.cv[1].mse).toBeLessThan(fit.cv[2].mse);
  });

  it('procrustes recovers an orthogonal Q and the scale', () => {
    // Q from the SVD of a random matrix (numerically orthogonal), s = 2.5
    const rq = new SeededRng(7);
    const dq = 8;
    const m = Float64Array.from(randomMatrix(dq, dq, rq));
    const q = gramSchmidt(m, dq);
    const xq: Matrix = { rows: 60, cols: dq, data: randomMatrix(60, dq, rq) };
    const bias = Float64Array.from({ length: dq }, (_, j) => j / 4 - 1);
    const yq = exactTargets(xq, q.map((v) => 2.5 * v), bias);
    const fit = fitProcrustes({ x: xq, y: yq, scale: true });
    expect(fit.scale).toBeCloseTo(2.5, 5);
    expect(relativeError(fit.rotation, q)).toBeLessThan(1e-5);
    expect(relativeError(fit.map.bias, bias)).toBeLessThan(1e-5);
    // Ωᵀ·Ω = I
    for (let i = 0; i < dq; i++) {
      for (let j = 0; j < dq; j++) {
        let dot = 0;
        for (let k = 0; k < dq; k++) dot += fit.rotation[k * dq + i] * fit.rotation[k * dq + j];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-6);
      }
    }
  });
});

describe('bad input', () => {
  const rng = new SeededRng(3);

  it('lstsq with fewer pairs than dimensions says so and suggests ridge', () => {
    const x: Matrix = { rows: 8, cols: 8, data: randomMatrix(8, 8, rng) };
    const y: Matrix = { rows: 8, cols: 3, data: randomMatrix(8, 3, rng) };
    expect(() => fitLstsq({ x, y })).toThrow('lstsq needs more pairs than dimensions (8 pairs for 8 dimensions plus a bias); use method ridge, which handles this');
  });

  it('lstsq with rank-deficient English embeddings suggests ridge; ridge fits them', () => {
    const base = randomMatrix(30, 3, rng);
    const data = new Float32Array(30 * 5);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 3; j++) data[i * 5 + j] = base[i * 3 + j];
      data[i * 5 + 3] = base[i * 3] + base[i * 3 + 1];
      data[i * 5 + 4] = 0.5;
    }
    const x: Matrix = { rows: 30, cols: 5, data };
    const y: Matrix = { rows: 30, cols: 2, data: randomMatrix(30, 2, rng) };
    expect(() => fitLstsq({ x, y })).toThrow(/rank-deficient.*use method ridge/);
    const fit = fitRidge({ x, y, folds: 3, seed: 0 });
    expect(fit.map.weight.every(Number.isFinite)).toBe(true);
  });

  it('ridge fits fewer pairs than dimensions', () => {
    const x: Matrix = { rows: 12, cols: 20, data: randomMatrix(12, 20, rng) };
    const y: Matrix = { rows: 12, cols: 4, data: randomMatrix(12, 4, rng) };
    const fit = fitRidge({ x, y, folds: 3, seed: 0 });
    expect(fit.cv).toHaveLength(11);
    expect(fit.map.weight.every(Number.isFinite)).toBe(true);
  });

  it('mismatched row counts and too few folds are one-line errors', () => {
    const x: Matrix = { rows: 4, cols: 2, data: randomMatrix(4, 2, rng) };
    const y: Matrix = { rows: 3, cols: 2, data: randomMatrix(3, 2, rng) };
    expect(() => fitRidge({ x, y })).toThrow('4 English rows but 3 Korean rows');
    expect(() => assignFolds({ n: 3, folds: 5, seed: 0 })).toThrow('cross-validation needs 2 ≤ folds ≤ pairs, got 5 folds for 3 pairs');
  });
});

describe('assignFolds', () => {
  it('is seeded and balanced', () => {
    const a = assignFolds({ n: 103, folds: 5, seed: 9 });
    expect(assignFolds({ n: 103, folds: 5, seed: 9 })).toEqual(a);
    expect(assignFolds({ n: 103, folds: 5, seed: 10 })).not.toEqual(a);
    const sizes = [0, 0, 0, 0, 0];
    a.forEach((fold) => sizes[fold]++);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

function gramSchmidt(m: Float64Array, n: number): Float64Array {
  const q = Float64Array.from(m);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

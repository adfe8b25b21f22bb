import { performance } from 'node:perf_hooks';
import { KoenbertError } from '@koenbert/tensor-utils';
import { columnMeans, type Matrix } from '../matrix';
import { householderQTf } from '../linalg/householder-q-tf';
import { tfMatMul, toFloat64 } from '../linalg/tf-mat-mul';
import { solveShiftedTridiagonal } from '../linalg/tridiagonal-solve';
import { tridiagonalize } from '../linalg/tridiagonalize';
import { assignFolds, centreColumns, foldStatistics, totalStatistics, type FoldStatistics } from './fold-statistics';
import { interceptFromMeans, type LinearMap } from './linear-map';
import { ridgeFoldErrors } from './ridge-fold-errors';

/** λ = α · tr(XcᵀXc)/d: α is relative to the mean eigenvalue of the centred Gram matrix. */
export const DEFAULT_RIDGE_ALPHAS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3, 10];

export interface RidgeCvPoint {
  alpha: number;
  lambda: number;
  /** Mean squared validation error per output value, over all folds. */
  mse: number;
}

export interface RidgeFit {
  map: LinearMap;
  lambda: number;
  /** λ divided by the mean eigenvalue tr(XcᵀXc)/d of the full centred data (null when λ was given as is). */
  alpha: number | null;
  /** The cross-validation curve (empty when λ was given). */
  cv: RidgeCvPoint[];
  folds: number;
  /** Seconds spent on the cross products (XᵀX, XᵀY per fold), the cross-validation, and the final solve. */
  timings: { productsSeconds: number; cvSeconds: number; solveSeconds: number };
}

/**
 * Ridge regression with an unpenalised bias, y ≈ x·W + b: X and Y are centred, W = (XcᵀXc + λI)⁻¹·XcᵀYc,
 * b = μy − Wᵀ·μx. λ is `lambda` when given; otherwise the α of `alphas` (λ = α·tr(XcᵀXc)/d) with the
 * lowest k-fold cross-validated squared error (seeded fold assignment, or `foldOf`).
 */
export function fitRidge(params: {
  x: Matrix;
  y: Matrix;
  lambda?: number;
  alphas?: number[];
  folds?: number;
  seed?: number;
  foldOf?: Int32Array;
}): RidgeFit {
  const { x, y } = params;
  checkPairs(x, y);
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);
  const xc = centreColumns(x, meanX);
  const yc = centreColumns(y, meanY);
  const d = x.cols;

  if (params.lambda !== undefined) {
    if (!(params.lambda >= 0)) throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `ridge lambda must be ≥ 0, got ${params.lambda}` });
    const start = performance.now();
    const [total] = foldStatistics({ xc, yc, foldOf: new Int32Array(x.rows), folds: 1 });
    const productsSeconds = (performance.now() - start) / 1000;
    const weight = solveRidge({ stats: total, lambda: params.lambda });
    const solveSeconds = (performance.now() - start) / 1000 - productsSeconds;
    return {
      map: toMap(weight, meanX, meanY, d, y.cols),
      lambda: params.lambda,
      alpha: null,
      cv: [],
      folds: 0,
      timings: { productsSeconds, cvSeconds: 0, solveSeconds },
    };
  }

  const alphas = params.alphas ?? DEFAULT_RIDGE_ALPHAS;
  if (alphas.length === 0 || alphas.some((a) => !(a > 0))) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `ridge alphas must be a non-empty list of positive numbers, got ${JSON.stringify(alphas)}` });
  }
  const folds = params.foldOf ? Math.max(...params.foldOf) + 1 : (params.folds ?? 5);
  if (params.foldOf && folds < 2) throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: 'ridge: foldOf must name at least 2 folds' });
  const foldOf = params.foldOf ?? assignFolds({ n: x.rows, folds, seed: params.seed ?? 0 });
  let start = performance.now();
  const stats = foldStatistics({ xc, yc, foldOf, folds });
  const total = totalStatistics(stats);
  const productsSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  let trace = 0;
  for (let i = 0; i < d; i++) trace += total.gram[i * d + i];
  const scale = trace / d;
  if (!(scale > 0)) throw new KoenbertError({ code: 'DEGENERATE_INPUT', message: 'ridge: the English embeddings of the pairs have zero variance' });
  const lambdas = alphas.map((a) => a * scale);
  const sse = new Float64Array(lambdas.length);
  for (const fold of stats) {
    if (fold.count === 0) continue;
    const errors = ridgeFoldErrors({ total, fold, lambdas });
    errors.forEach((value, i) => (sse[i] += value));
  }
  const cv = alphas.map((alpha, i) => ({ alpha, lambda: lambdas[i], mse: sse[i] / (x.rows * y.cols) }));
  let best = 0;
  cv.forEach((point, i) => {
    if (point.mse < cv[best].mse) best = i;
  });
  if (!Number.isFinite(cv[best].mse)) {
    throw new KoenbertError({ code: 'SINGULAR_SYSTEM', message: `ridge: no λ of the grid gives a positive definite system; use larger ridge.alphas than ${alphas[alphas.length - 1]}` });
  }
  const cvSeconds = (performance.now() - start) / 1000;
  start = performance.now();
  const weight = solveRidge({ stats: total, lambda: lambdas[best] });
  const solveSeconds = (performance.now() - start) / 1000;
  return {
    map: toMap(weight, meanX, meanY, d, y.cols),
    lambda: lambdas[best],
    alpha: alphas[best],
    cv,
    folds,
    timings: { productsSeconds, cvSeconds, solveSeconds },
  };
}

/** W = (G + λI)⁻¹·C through the tridiagonal form of G (λ > 0, or G positive definite). */
function solveRidge(params: { stats: FoldStatistics; lambda: number }): Float64Array {
  const { stats, lambda } = params;
  const d = stats.sumX.length;
  const e = stats.sumY.length;
  const tri = tridiagonalize({ a: stats.gram, n: d });
  const q = { data: householderQTf({ tridiagonal: tri }), rows: d, cols: d };
  const p = toFloat64(tfMatMul({ a: q, b: { data: stats.cross, rows: d, cols: e }, transposeA: true }));
  let z: Float64Array;
  try {
    z = solveShiftedTridiagonal({ diag: tri.diag, off: tri.off, shift: lambda, b: p, cols: e });
  } catch (error) {
    throw new KoenbertError({ code: 'SINGULAR_SYSTEM', message: `ridge: XᵀX + λI is singular for λ = ${lambda}; use a larger λ`, cause: error });
  }
  return toFloat64(tfMatMul({ a: q, b: { data: z, rows: d, cols: e } }));
}

function toMap(weight: Float64Array, meanX: Float64Array, meanY: Float64Array, d: number, e: number): LinearMap {
  return { inputDim: d, outputDim: e, weight: Float32Array.from(weight), bias: interceptFromMeans({ weight, meanX, meanY }) };
}

export function checkPairs(x: Matrix, y: Matrix): void {
  if (x.rows !== y.rows) throw new KoenbertError({ code: 'DIMENSION_MISMATCH', message: `${x.rows} English rows but ${y.rows} Korean rows` });
  if (x.rows < 2) throw new KoenbertError({ code: 'TOO_FEW_PAIRS', message: `need at least 2 pairs to fit a map, got ${x.rows}` });
}

import { KoenbertError } from '@koenbert/tensor-utils';
import { columnMeans, type Matrix } from '../matrix';
import { cholesky, choleskySolve } from '../linalg/cholesky';
import { centreColumns, foldStatistics } from './fold-statistics';
import { interceptFromMeans, type LinearMap } from './linear-map';
import { checkPairs } from './ridge';

/**
 * Ordinary least squares with a bias: W = (XcᵀXc)⁻¹·XcᵀYc by Cholesky (float64), b = μy − Wᵀ·μx.
 * Needs more pairs than dimensions and English embeddings of full rank; otherwise the error says
 * so and points to ridge.
 */
export function fitLstsq(params: { x: Matrix; y: Matrix }): LinearMap {
  const { x, y } = params;
  checkPairs(x, y);
  const d = x.cols;
  if (x.rows <= d) {
    throw new KoenbertError({
      code: 'TOO_FEW_PAIRS',
      message: `lstsq needs more pairs than dimensions (${x.rows} pairs for ${d} dimensions plus a bias); use method ridge, which handles this`,
    });
  }
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);
  const [stats] = foldStatistics({ xc: centreColumns(x, meanX), yc: centreColumns(y, meanY), foldOf: new Int32Array(x.rows), folds: 1 });
  let l: Float64Array;
  try {
    l = cholesky({ a: stats.gram, n: d });
  } catch (error) {
    throw new KoenbertError({
      code: 'SINGULAR_SYSTEM',
      message: `lstsq: the English embeddings of the ${x.rows} pairs are rank-deficient (XᵀX is singular); use method ridge`,
      cause: error,
    });
  }
  const weight = choleskySolve({ l, n: d, b: stats.cross, cols: y.cols });
  return { inputDim: d, outputDim: y.cols, weight: Float32Array.from(weight), bias: interceptFromMeans({ weight, meanX, meanY }) };
}

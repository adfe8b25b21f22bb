import { SeededRng, KoenbertError } from '@koenbert/tensor-utils';
import { gatherRows, type Matrix } from '../matrix';
import * as tf from '@tensorflow/tfjs';

/**
 * Sums over the rows of one fold of globally centred data (x̄ = x − μx, ȳ = y − μy):
 * gram = Σ x̄·x̄ᵀ (d × d), cross = Σ x̄·ȳᵀ (d × e), sumX = Σ x̄, sumY = Σ ȳ, sumYY = Σ ‖ȳ‖².
 * The products run through tfjs matMul (float32) and are kept in float64.
 */
export interface FoldStatistics {
  count: number;
  gram: Float64Array;
  cross: Float64Array;
  sumX: Float64Array;
  sumY: Float64Array;
  sumYY: number;
}

/** Seeded assignment of n rows to k folds of (almost) equal size. */
export function assignFolds(params: { n: number; folds: number; seed: number }): Int32Array {
  const { n, folds } = params;
  if (!Number.isInteger(folds) || folds < 2 || folds > n) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `cross-validation needs 2 ≤ folds ≤ pairs, got ${folds} folds for ${n} pairs` });
  }
  const order = Array.from({ length: n }, (_, i) => i);
  new SeededRng(params.seed).shuffleInPlace(order);
  const foldOf = new Int32Array(n);
  order.forEach((row, position) => {
    foldOf[row] = Math.floor((position * folds) / n);
  });
  return foldOf;
}

/** Centres x and y by their column means (float64 means, float32 data). */
export function centreColumns(m: Matrix, mean: Float64Array): Matrix {
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.rows; i++) {
    const row = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[row + j] = m.data[row + j] - mean[j];
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** Per-fold sums of centred x and y; `foldOf[i]` is the fold of row i (0 … folds−1). */
export function foldStatistics(params: { xc: Matrix; yc: Matrix; foldOf: Int32Array; folds: number }): FoldStatistics[] {
  const { xc, yc, foldOf, folds } = params;
  const d = xc.cols;
  const e = yc.cols;
  const members: number[][] = Array.from({ length: folds }, () => []);
  foldOf.forEach((fold, row) => members[fold].push(row));
  return members.map((ids) => {
    const sumX = new Float64Array(d);
    const sumY = new Float64Array(e);
    let sumYY = 0;
    for (const id of ids) {
      for (let j = 0; j < d; j++) sumX[j] += xc.data[id * d + j];
      for (let j = 0; j < e; j++) {
        const value = yc.data[id * e + j];
        sumY[j] += value;
        sumYY += value * value;
      }
    }
    if (ids.length === 0) {
      return { count: 0, gram: new Float64Array(d * d), cross: new Float64Array(d * e), sumX, sumY, sumYY };
    }
    const { gram, cross } = foldProducts({ x: gatherRows({ source: xc, ids }), y: gatherRows({ source: yc, ids }) });
    return { count: ids.length, gram, cross, sumX, sumY, sumYY };
  });
}

/**
 * XᵀX and XᵀY in float64 from float32 matMul. Xᵀ is materialised once (the fast wasm path needs
 * untransposed operands); XᵀX is symmetric, so only its lower block rows are multiplied out
 * ([X₂ᵀX₁ X₂ᵀX₂] and X₁ᵀX₁ for the column halves X₁, X₂): 3/4 of the flops of the full product.
 */
function foldProducts(params: { x: Matrix; y: Matrix }): { gram: Float64Array; cross: Float64Array } {
  const { x, y } = params;
  const d = x.cols;
  const e = y.cols;
  const h = Math.floor(d / 2);
  const [top, bottom, xy] = tf.tidy(() => {
    const xt = tf.transpose(tf.tensor2d(x.data, [x.rows, d]));
    const xTensor = tf.tensor2d(x.data, [x.rows, d]);
    const parts: tf.Tensor2D[] = [];
    parts.push(h > 0 ? tf.matMul(tf.slice(xt, [0, 0], [h, x.rows]), tf.slice(xTensor, [0, 0], [x.rows, h])) : tf.zeros([0, 0]));
    parts.push(tf.matMul(tf.slice(xt, [h, 0], [d - h, x.rows]), xTensor));
    parts.push(tf.matMul(xt, tf.tensor2d(y.data, [y.rows, e])));
    return parts;
  });
  const topData = top.dataSync();
  const bottomData = bottom.dataSync();
  const cross = Float64Array.from(xy.dataSync());
  tf.dispose([top, bottom, xy]);
  const gram = new Float64Array(d * d);
  for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) gram[i * d + j] = topData[i * h + j];
  for (let i = h; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const value = bottomData[(i - h) * d + j];
      gram[i * d + j] = value;
      if (j < h) gram[j * d + i] = value;
    }
  }
  return { gram, cross };
}

/** Element-wise sum of the folds' statistics. */
export function totalStatistics(stats: FoldStatistics[]): FoldStatistics {
  const total: FoldStatistics = {
    count: 0,
    gram: new Float64Array(stats[0].gram.length),
    cross: new Float64Array(stats[0].cross.length),
    sumX: new Float64Array(stats[0].sumX.length),
    sumY: new Float64Array(stats[0].sumY.length),
    sumYY: 0,
  };
  for (const s of stats) {
    total.count += s.count;
    total.sumYY += s.sumYY;
    addInto(total.gram, s.gram);
    addInto(total.cross, s.cross);
    addInto(total.sumX, s.sumX);
    addInto(total.sumY, s.sumY);
  }
  return total;
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i] += source[i];
}

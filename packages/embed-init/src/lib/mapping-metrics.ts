import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '@koenbert/tensor-utils';
import { columnMeans, type Matrix } from './matrix';

/** How close mapped embeddings are to the true ones, row by row. */
export interface MappingMetrics {
  /** Rows compared. */
  count: number;
  /** 1 − Σ‖y − ŷ‖² / Σ‖y − ȳ‖² over all rows and dimensions (ȳ: the mean true row). */
  r2: number;
  /** Mean cosine similarity of ŷᵢ and yᵢ. */
  meanCosine: number;
  /** Share of queries whose nearest true row (cosine, among all `count` true rows) is their own. */
  top1: number;
  /** Share of queries whose own true row is among the 5 nearest. */
  top5: number;
  /** Queries used for top1/top5 (the first `maxQueries` rows). */
  queries: number;
}

/**
 * R², mean cosine, and nearest-neighbour retrieval of each mapped row among all true rows
 * (bilingual-lexicon-induction style: the candidates are the true Korean embeddings of the compared
 * pairs). Ranks count strictly more similar candidates, so ties favour the query. Similarities run
 * through tfjs in chunks of 512 queries.
 */
export function mappingMetrics(params: { predicted: Matrix; truth: Matrix; maxQueries?: number }): MappingMetrics {
  const { predicted, truth } = params;
  if (predicted.rows !== truth.rows || predicted.cols !== truth.cols) {
    throw new KoenbertError({ code: 'DIMENSION_MISMATCH', message: `metrics: predicted ${predicted.rows} × ${predicted.cols}, truth ${truth.rows} × ${truth.cols}` });
  }
  const n = truth.rows;
  const d = truth.cols;
  if (n === 0) return { count: 0, r2: NaN, meanCosine: NaN, top1: NaN, top5: NaN, queries: 0 };
  const mean = columnMeans(truth);
  let sse = 0;
  let sst = 0;
  let cosineSum = 0;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    let pp = 0;
    let tt = 0;
    for (let j = 0; j < d; j++) {
      const p = predicted.data[i * d + j];
      const t = truth.data[i * d + j];
      sse += (t - p) ** 2;
      sst += (t - mean[j]) ** 2;
      dot += p * t;
      pp += p * p;
      tt += t * t;
    }
    cosineSum += pp > 0 && tt > 0 ? dot / Math.sqrt(pp * tt) : 0;
  }
  const queries = Math.min(n, params.maxQueries ?? n);
  let hits1 = 0;
  let hits5 = 0;
  const chunk = 512;
  const candidates = tf.tidy(() => tf.transpose(unitRows(tf.tensor2d(truth.data, [n, d]))));
  try {
    for (let start = 0; start < queries; start += chunk) {
      const rows = Math.min(chunk, queries - start);
      const similarity = tf.tidy(() => {
        const q = unitRows(tf.tensor2d(predicted.data.subarray(start * d, (start + rows) * d), [rows, d]));
        return tf.matMul(q, candidates);
      });
      const values = similarity.dataSync();
      similarity.dispose();
      for (let r = 0; r < rows; r++) {
        const own = values[r * n + start + r];
        let better = 0;
        for (let c = 0; c < n && better < 5; c++) if (values[r * n + c] > own) better++;
        if (better === 0) hits1++;
        if (better < 5) hits5++;
      }
    }
  } finally {
    candidates.dispose();
  }
  return { count: n, r2: sst > 0 ? 1 - sse / sst : NaN, meanCosine: cosineSum / n, top1: hits1 / queries, top5: hits5 / queries, queries };
}

function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

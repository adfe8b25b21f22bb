import { SeededRng } from '@koenbert/tensor-utils';
import { columnMeans, type Matrix } from '../matrix';

/** Per-column mean and standard deviation of an embedding matrix (float64). */
export function embeddingMoments(m: Matrix): { mean: Float64Array; std: Float64Array } {
  const mean = columnMeans(m);
  const variance = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const row = i * m.cols;
    for (let j = 0; j < m.cols; j++) {
      const delta = m.data[row + j] - mean[j];
      variance[j] += delta * delta;
    }
  }
  const std = variance.map((v) => Math.sqrt(v / Math.max(1, m.rows)));
  return { mean, std };
}

/**
 * The mean-embedding baseline: every new row is the mean Korean embedding plus Gaussian noise with
 * standard deviation `noise` × (that column's standard deviation), drawn from `seed`. Hewitt (2021),
 * "Initializing new word embeddings for pretrained language models".
 */
export function meanEmbeddingRows(params: { korean: Matrix; count: number; noise: number; seed: number }): Matrix {
  const { korean, count, noise } = params;
  const { mean, std } = embeddingMoments(korean);
  const rng = new SeededRng(params.seed);
  const d = korean.cols;
  const data = new Float32Array(count * d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = mean[j] + (noise > 0 ? noise * std[j] * rng.normal() : 0);
  }
  return { rows: count, cols: d, data };
}

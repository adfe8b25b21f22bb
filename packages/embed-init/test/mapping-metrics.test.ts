import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { mappingMetrics } from '../src/lib/mapping-metrics';
import type { Matrix } from '../src/lib/matrix';

const m = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) });

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('mappingMetrics', () => {
  const truth = m([
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
    [1, 1],
    [-1, 1],
  ]);

  it('a perfect prediction scores 1 everywhere', () => {
    const before = tf.memory().numTensors;
    expect(mappingMetrics({ predicted: truth, truth })).toEqual({ count: 6, r2: 1, meanCosine: 1, top1: 1, top5: 1, queries: 6 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hand-computed case: scaled copies keep cosine and retrieval, lose R²', () => {
    const predicted = { ...truth, data: truth.data.map((v) => 2 * v) };
    const result = mappingMetrics({ predicted, truth });
    // truth mean (0, 1/3): SST = Σx² + Σ(y − 1/3)² = 4 + 30/9 = 22/3; SSE = Σ‖y‖² = 8 → R² = 1 − 24/22
    expect(result.r2).toBeCloseTo(1 - 24 / 22, 6);
    expect(result.meanCosine).toBeCloseTo(1, 6);
    expect(result.top1).toBe(1);
  });

  it('a rotated prediction retrieves a neighbour, not itself', () => {
    // each prediction is the truth of the next row: its own row is never the nearest
    const predicted = m([
      [0, 1],
      [-1, 0],
      [0, -1],
      [1, 0],
      [-1, 1],
      [1, 1],
    ]);
    const result = mappingMetrics({ predicted, truth });
    expect(result.top1).toBe(0);
    // query 0 → (0,1): cosines with truth rows: 0, 1, 0, −1, .707, .707 → own row (cos 0) has 3 better → in top-5
    // query 4 → (−1,1): own row (1,1) has cos 0; better: (0,1) .707, (−1,0) .707, (−1,1) 1 → in top-5
    expect(result.top5).toBe(1);
    expect(result.meanCosine).toBeCloseTo(0, 6);
  });

  it('limits the nearest-neighbour queries', () => {
    const result = mappingMetrics({ predicted: truth, truth, maxQueries: 2 });
    expect(result.queries).toBe(2);
    expect(result.top1).toBe(1);
  });

  it('refuses mismatched shapes', () => {
    expect(() => mappingMetrics({ predicted: m([[1, 2]]), truth })).toThrow('metrics: predicted 1 × 2, truth 6 × 2');
  });
});

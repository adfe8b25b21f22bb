import { KoenbertError } from '@koenbert/tensor-utils';

/** A dense row-major float32 matrix: row i is data[i*cols .. (i+1)*cols). */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Wraps row-major data as a matrix; the length must be rows × cols. */
export function matrix(params: { rows: number; cols: number; data?: Float32Array }): Matrix {
  const { rows, cols } = params;
  const data = params.data ?? new Float32Array(rows * cols);
  if (data.length !== rows * cols) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `matrix data has ${data.length} values, expected ${rows} × ${cols}` });
  }
  return { rows, cols, data };
}

/** The rows `ids` of a matrix, in that order. */
export function gatherRows(params: { source: Matrix; ids: ArrayLike<number> }): Matrix {
  const { source, ids } = params;
  const out = new Float32Array(ids.length * source.cols);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < source.rows)) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `row ${id} is outside a matrix of ${source.rows} rows` });
    }
    out.set(source.data.subarray(id * source.cols, (id + 1) * source.cols), i * source.cols);
  }
  return { rows: ids.length, cols: source.cols, data: out };
}

/** Per-column mean in float64. */
export function columnMeans(m: Matrix): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const row = i * m.cols;
    for (let j = 0; j < m.cols; j++) mean[j] += m.data[row + j];
  }
  for (let j = 0; j < m.cols; j++) mean[j] /= Math.max(1, m.rows);
  return mean;
}

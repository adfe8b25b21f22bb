import { KoenbertError } from '@koenbert/tensor-utils';
import type { Matrix } from '../matrix';
import { tfMatMul } from '../linalg/tf-mat-mul';

/** y = x·weight + bias for row vectors x (weight: inputDim × outputDim, row-major). */
export interface LinearMap {
  inputDim: number;
  outputDim: number;
  weight: Float32Array;
  bias: Float32Array;
}

/** Applies a linear map to every row of x (through tfjs matMul). */
export function applyLinearMap(params: { map: LinearMap; x: Matrix }): Matrix {
  const { map, x } = params;
  if (x.cols !== map.inputDim) {
    throw new KoenbertError({ code: 'DIMENSION_MISMATCH', message: `linear map expects ${map.inputDim} input columns, got ${x.cols}` });
  }
  if (x.rows === 0) return { rows: 0, cols: map.outputDim, data: new Float32Array(0) };
  const out = tfMatMul({ a: x, b: { data: map.weight, rows: map.inputDim, cols: map.outputDim } });
  for (let i = 0; i < x.rows; i++) {
    const row = i * map.outputDim;
    for (let j = 0; j < map.outputDim; j++) out[row + j] += map.bias[j];
  }
  return { rows: x.rows, cols: map.outputDim, data: out };
}

/** The bias that makes a centred map exact at the means: b = μy − Wᵀ·μx. */
export function interceptFromMeans(params: { weight: Float64Array | Float32Array; meanX: Float64Array; meanY: Float64Array }): Float32Array {
  const { weight, meanX, meanY } = params;
  const inputDim = meanX.length;
  const outputDim = meanY.length;
  const bias = new Float64Array(meanY);
  for (let i = 0; i < inputDim; i++) {
    const mx = meanX[i];
    const row = i * outputDim;
    for (let j = 0; j < outputDim; j++) bias[j] -= mx * weight[row + j];
  }
  return Float32Array.from(bias);
}

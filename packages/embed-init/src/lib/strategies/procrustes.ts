import { columnMeans, type Matrix } from '../matrix';
import { svd } from '../linalg/svd';
import { tfMatMul } from '../linalg/tf-mat-mul';
import { centreColumns } from './fold-statistics';
import { interceptFromMeans, type LinearMap } from './linear-map';
import { checkPairs } from './ridge';

export interface ProcrustesFit {
  map: LinearMap;
  /** The scale s of y ≈ s·x·Ω + b (1 without scaling). */
  scale: number;
  /** Ω, d × e with orthonormal rows (d ≤ e) or columns (d ≥ e). */
  rotation: Float32Array;
}

/**
 * Orthogonal Procrustes after centring: Ω = U·Vᵀ from the SVD XcᵀYc = U·Σ·Vᵀ minimises ‖Yc − s·Xc·Ω‖
 * over (semi-)orthogonal Ω; with `scale` the best s = tr(Σ)/‖Xc‖², else s = 1; b = μy − s·Ωᵀ·μx.
 * Schönemann (1966), "A generalized solution of the orthogonal Procrustes problem".
 */
export function fitProcrustes(params: { x: Matrix; y: Matrix; scale?: boolean }): ProcrustesFit {
  const { x, y } = params;
  checkPairs(x, y);
  const d = x.cols;
  const e = y.cols;
  const meanX = columnMeans(x);
  const meanY = columnMeans(y);
  const xc = centreColumns(x, meanX);
  const cross = Float64Array.from(tfMatMul({ a: xc, b: centreColumns(y, meanY), transposeA: true }));
  const { u, s, v, k } = svd({ m: cross, rows: d, cols: e });
  const rotation = new Float64Array(d * e);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < e; j++) {
      let sum = 0;
      for (let r = 0; r < k; r++) sum += u[i * k + r] * v[j * k + r];
      rotation[i * e + j] = sum;
    }
  }
  let scale = 1;
  if (params.scale ?? true) {
    let sumSquares = 0;
    for (let i = 0; i < xc.data.length; i++) sumSquares += xc.data[i] * xc.data[i];
    scale = s.reduce((a, b) => a + b, 0) / sumSquares;
  }
  const weight = rotation.map((value) => value * scale);
  return {
    map: { inputDim: d, outputDim: e, weight: Float32Array.from(weight), bias: interceptFromMeans({ weight, meanX, meanY }) },
    scale,
    rotation: Float32Array.from(rotation),
  };
}

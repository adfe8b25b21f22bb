import { applyLinearMap, fitRidge, matrix, type LinearMap } from '@koenbert/embed-init';

/** A fitted linear read-out and the ridge strength cross-validation chose for it. */
export interface RidgeProbe {
  map: LinearMap;
  /** λ relative to the mean eigenvalue of the centred Gram matrix. */
  alpha: number;
}

/** Ridge strengths tried (relative to the mean eigenvalue of XcᵀXc); chosen by 5-fold CV on the training rows only. */
export const PROBE_ALPHAS = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

/**
 * A linear probe by ridge regression: on one-hot targets for classes (a ridge classifier: the arg-max output is the
 * class), on the score for regression. λ is chosen by k-fold cross-validation inside the training rows, so the scored
 * examples never influence the fit.
 */
export function fitRidgeProbe(params: { x: Float32Array; rows: number; cols: number; targets: ArrayLike<number>; numClasses: number; seed: number }): RidgeProbe {
  const { rows, cols, numClasses } = params;
  const outputs = numClasses > 0 ? numClasses : 1;
  const y = new Float32Array(rows * outputs);
  for (let i = 0; i < rows; i++) {
    if (numClasses > 0) y[i * outputs + params.targets[i]] = 1;
    else y[i] = params.targets[i];
  }
  const fit = fitRidge({ x: matrix({ rows, cols, data: params.x }), y: matrix({ rows, cols: outputs, data: y }), alphas: PROBE_ALPHAS, folds: 5, seed: params.seed });
  return { map: fit.map, alpha: fit.alpha ?? Number.NaN };
}

/** The probe's prediction per row: class index (arg-max) or score. */
export function applyRidgeProbe(params: { probe: RidgeProbe; x: Float32Array; rows: number; cols: number; classify: boolean }): number[] {
  const { probe, rows } = params;
  if (rows === 0) return [];
  const out = applyLinearMap({ map: probe.map, x: matrix({ rows, cols: params.cols, data: params.x }) });
  const width = probe.map.outputDim;
  const predictions = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    if (!params.classify) {
      predictions[i] = out.data[i];
      continue;
    }
    let best = 0;
    for (let j = 1; j < width; j++) if (out.data[i * width + j] > out.data[i * width + best]) best = j;
    predictions[i] = best;
  }
  return predictions;
}

import { householderQTf } from '../linalg/householder-q-tf';
import { tfMatMul, toFloat64 } from '../linalg/tf-mat-mul';
import { solveShiftedTridiagonal } from '../linalg/tridiagonal-solve';
import { tridiagonalize } from '../linalg/tridiagonalize';
import type { FoldStatistics } from './fold-statistics';

/**
 * Sum of squared validation errors of ridge fits for one held-out fold, for every λ at once.
 *
 * Training on the other folds (centred at their own mean μ') gives W(λ) = (G + λI)⁻¹·C. With
 * G = Q·T·Qᵀ (Householder tridiagonalisation, once per fold) and P = Qᵀ·C, W = Q·(T + λI)⁻¹·P, so
 * with the held-out fold's cross products S̃ = Σ (x−μ')(x−μ')ᵀ, C̃ = Σ (x−μ')(y−μ'_y)ᵀ
 *   SSE(λ) = Σ‖y − μ'_y‖² − 2·tr(Wᵀ·C̃) + tr(Wᵀ·S̃·W)
 *          = yy − 2·Σ (R·P) ∘ (Qᵀ·C̃) + tr((R·Qᵀ·S̃·Q)·(R·P·Pᵀ)),     R = (T + λI)⁻¹,
 * where every product with R is a tridiagonal solve. The O(d³) work (the tridiagonalisation, Q, and
 * three products through tfjs) is done once per fold; each λ then costs O(d²).
 */
export function ridgeFoldErrors(params: { total: FoldStatistics; fold: FoldStatistics; lambdas: number[] }): Float64Array {
  const { total, fold, lambdas } = params;
  const d = fold.sumX.length;
  const e = fold.sumY.length;
  const nTrain = total.count - fold.count;
  const nVal = fold.count;
  // Means of the training rows (the data is centred globally, so Σ_train = −Σ_fold).
  const mx = new Float64Array(d);
  const my = new Float64Array(e);
  for (let i = 0; i < d; i++) mx[i] = -fold.sumX[i] / nTrain;
  for (let j = 0; j < e; j++) my[j] = -fold.sumY[j] / nTrain;

  const gTrain = new Float64Array(d * d);
  const sVal = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      gTrain[k] = total.gram[k] - fold.gram[k] - nTrain * mx[i] * mx[j];
      sVal[k] = fold.gram[k] - fold.sumX[i] * mx[j] - mx[i] * fold.sumX[j] + nVal * mx[i] * mx[j];
    }
  }
  const cTrain = new Float64Array(d * e);
  const cVal = new Float64Array(d * e);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < e; j++) {
      const k = i * e + j;
      cTrain[k] = total.cross[k] - fold.cross[k] - nTrain * mx[i] * my[j];
      cVal[k] = fold.cross[k] - fold.sumX[i] * my[j] - mx[i] * fold.sumY[j] + nVal * mx[i] * my[j];
    }
  }
  let yy = fold.sumYY + nVal * dot(my, my);
  for (let j = 0; j < e; j++) yy -= 2 * my[j] * fold.sumY[j];

  const tri = tridiagonalize({ a: gTrain, n: d });
  const q = householderQTf({ tridiagonal: tri });
  // Qᵀ·[C_train | C̃ | S̃] in one product, then P·Pᵀ and (Qᵀ·S̃)·Q.
  const width = 2 * e + d;
  const stacked = new Float32Array(d * width);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < e; j++) {
      stacked[i * width + j] = cTrain[i * e + j];
      stacked[i * width + e + j] = cVal[i * e + j];
    }
    for (let j = 0; j < d; j++) stacked[i * width + 2 * e + j] = sVal[i * d + j];
  }
  const rotated = tfMatMul({ a: { data: q, rows: d, cols: d }, b: { data: stacked, rows: d, cols: width }, transposeA: true });
  const p = new Float64Array(d * e);
  const cHat = new Float64Array(d * e);
  const qs = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < e; j++) {
      p[i * e + j] = rotated[i * width + j];
      cHat[i * e + j] = rotated[i * width + e + j];
    }
    for (let j = 0; j < d; j++) qs[i * d + j] = rotated[i * width + 2 * e + j];
  }
  const pm = toFloat64(tfMatMul({ a: { data: p, rows: d, cols: e }, b: { data: p, rows: d, cols: e }, transposeB: true }));
  const sHat = toFloat64(tfMatMul({ a: { data: qs, rows: d, cols: d }, b: { data: q, rows: d, cols: d } }));

  const errors = new Float64Array(lambdas.length);
  lambdas.forEach((lambda, index) => {
    const solve = (b: Float64Array, cols: number): Float64Array => solveShiftedTridiagonal({ diag: tri.diag, off: tri.off, shift: lambda, b, cols });
    let z: Float64Array;
    let left: Float64Array;
    let right: Float64Array;
    try {
      z = solve(p, e);
      left = solve(sHat, d);
      right = solve(pm, d);
    } catch {
      // λ too small for a rank-deficient fold (G + λI not positive definite in floating point): never chosen.
      errors[index] = Infinity;
      return;
    }
    let cross = 0;
    for (let k = 0; k < z.length; k++) cross += z[k] * cHat[k];
    let quadratic = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) quadratic += left[i * d + j] * right[j * d + i];
    errors[index] = yy - 2 * cross + quadratic;
  });
  return errors;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

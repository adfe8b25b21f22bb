import { checkLengths } from './check-lengths';

/** Pearson correlation coefficient; NaN when either input is constant or has fewer than 2 values. */
export function pearson(params: { x: ArrayLike<number>; y: ArrayLike<number> }): number {
  const { x, y } = params;
  checkLengths({ metric: 'pearson', gold: x, predicted: y });
  const n = x.length;
  if (n < 2) return Number.NaN;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= n;
  meanY /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

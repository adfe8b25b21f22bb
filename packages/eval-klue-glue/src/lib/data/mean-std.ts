/**
 * Mean and sample standard deviation (n − 1; 0 for a single value). A NaN value (a seed whose metric is undefined,
 * e.g. Pearson of constant predictions) makes both NaN: dropping the seed would report a better, smaller set of runs
 * than the one that was made.
 */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0 || values.some(Number.isNaN)) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

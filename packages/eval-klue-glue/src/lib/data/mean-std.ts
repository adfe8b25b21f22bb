/** Mean and sample standard deviation (n − 1; 0 for a single value) of the finite values. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = finite.reduce((sum, v) => sum + v, 0) / finite.length;
  if (finite.length === 1) return { mean, std: 0 };
  const variance = finite.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (finite.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

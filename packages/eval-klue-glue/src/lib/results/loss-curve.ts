/** A loss curve of at most `maxPoints` points: means of consecutive windows of steps (5 significant digits). */
export function lossCurve(params: { losses: readonly number[]; maxPoints?: number }): { points: number[]; window: number } {
  const { losses, maxPoints = 200 } = params;
  const window = Math.max(1, Math.ceil(losses.length / maxPoints));
  const points: number[] = [];
  for (let start = 0; start < losses.length; start += window) {
    const slice = losses.slice(start, start + window);
    points.push(Number((slice.reduce((sum, v) => sum + v, 0) / slice.length).toPrecision(5)));
  }
  return { points, window };
}

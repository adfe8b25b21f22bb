function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * The report's compact SVG line chart of training-loss curves (one polyline per run), x = optimisation step,
 * with the y range and step count written on the axes. Internal to the report (writeReport, renderHtmlReport): the
 * public loss chart is @koenbert/distill's `lossCurveSvg` (ticks, log scale); this one keeps the report's figures
 * as they were, byte for byte.
 */
export function reportLossCurveSvg(params: { title: string; series: Array<{ label: string; losses: number[]; window: number }>; width?: number; height?: number }): string {
  const { title, series, width = 420, height = 220 } = params;
  const left = 48;
  const right = 12;
  const top = 24;
  const bottom = 30;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const values = series.flatMap((s) => s.losses.filter(Number.isFinite));
  const maxSteps = Math.max(1, ...series.map((s) => s.losses.length * s.window));
  const low = values.length > 0 ? Math.min(...values) : 0;
  const high = values.length > 0 ? Math.max(...values) : 1;
  const span = high - low || 1;
  const x = (step: number): number => left + (step / maxSteps) * plotWidth;
  const y = (loss: number): number => top + (1 - (loss - low) / span) * plotHeight;
  const lines = series.map((s, index) => {
    const points = s.losses
      .map((loss, i) => (Number.isFinite(loss) ? `${x((i + 0.5) * s.window).toFixed(1)},${y(loss).toFixed(1)}` : null))
      .filter((p): p is string => p !== null)
      .join(' ');
    const color = COLORS[index % COLORS.length];
    return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"><title>${escapeXml(s.label)}</title></polyline>`;
  });
  const legend = series.map(
    (s, index) =>
      `<text x="${width - right - 4}" y="${top + 12 + index * 12}" font-size="10" text-anchor="end" fill="${COLORS[index % COLORS.length]}">${escapeXml(s.label)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<text x="${left}" y="14" font-size="12" font-family="sans-serif">${escapeXml(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${left - 4}" y="${top + 10}" font-size="10" text-anchor="end" font-family="sans-serif">${high.toFixed(3)}</text>`,
    `<text x="${left - 4}" y="${top + plotHeight}" font-size="10" text-anchor="end" font-family="sans-serif">${low.toFixed(3)}</text>`,
    `<text x="${left}" y="${height - 8}" font-size="10" font-family="sans-serif">0</text>`,
    `<text x="${left + plotWidth}" y="${height - 8}" font-size="10" text-anchor="end" font-family="sans-serif">${maxSteps} steps (training loss)</text>`,
    ...lines,
    ...legend.map((l) => l.replace('<text ', '<text font-family="sans-serif" ')),
    '</svg>',
  ].join('\n');
}

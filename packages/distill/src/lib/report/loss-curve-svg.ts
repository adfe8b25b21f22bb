/** One line of the chart: points (step, value); non-finite values are left out. */
export interface CurveSeries {
  name: string;
  points: Array<[number, number]>;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About five round tick values covering [min, max] (1, 2 or 5 × 10^k apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(4)));
}

/**
 * A line chart of loss curves as a standalone SVG document (no dependencies): one polyline per series on shared
 * axes (linear step axis, linear or log10 value axis), with ticks, a legend and a title.
 */
export function lossCurveSvg(params: { series: CurveSeries[]; title: string; logScale?: boolean; width?: number; height?: number }): string {
  const width = params.width ?? 800;
  const height = params.height ?? 450;
  const margin = { left: 70, right: 20, top: 40, bottom: 50 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const logScale = params.logScale ?? false;
  const series = params.series.map((s) => ({
    name: s.name,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logScale || y > 0)),
  }));
  const all = series.flatMap((s) => s.points);
  const ty = (y: number) => (logScale ? Math.log10(y) : y);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => ty(y));
  let [xMin, xMax] = all.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [yMin, yMax] = all.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  if (!logScale && yMin > 0 && yMin < 0.25 * yMax) yMin = 0;
  const px = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => margin.top + plotH - ((ty(y) - yMin) / (yMax - yMin)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(params.title)}</text>`);
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  for (const tick of niceTicks(xMin, xMax)) {
    const x = px(tick).toFixed(1);
    out.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 18}" text-anchor="middle">${formatTick(tick)}</text>`);
  }
  const yTicks = logScale ? niceTicks(yMin, yMax).filter((t) => Number.isInteger(t)) : niceTicks(yMin, yMax);
  for (const tick of yTicks.length > 0 ? yTicks : niceTicks(yMin, yMax)) {
    const value = logScale ? 10 ** tick : tick;
    const y = py(value).toFixed(1);
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(value)}</text>`);
  }
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">step</text>`);
  out.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">loss${logScale ? ' (log scale)' : ''}</text>`);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    if (s.points.length > 0) {
      const points = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`);
    }
    const ly = margin.top + 14 + i * 16;
    out.push(`<line x1="${margin.left + plotW - 150}" y1="${ly}" x2="${margin.left + plotW - 130}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${margin.left + plotW - 124}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

import { readJsonl, writeFileAtomic } from '@koenbert/tensor-utils';
import { lossCurveSvg, type CurveSeries } from './loss-curve-svg';

interface StepRecord {
  event?: string;
  step?: number;
  lang?: string;
  loss?: number | string;
  qq?: number;
  kk?: number;
  vv?: number;
}

/** Mean of each run of `window` points, so a long noisy curve stays readable. */
function smooth(points: Array<[number, number]>, maxPoints: number): Array<[number, number]> {
  if (points.length <= maxPoints) return points;
  const window = Math.ceil(points.length / maxPoints);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i += window) {
    const chunk = points.slice(i, i + window);
    out.push([chunk[chunk.length - 1][0], chunk.reduce((sum, [, y]) => sum + y, 0) / chunk.length]);
  }
  return out;
}

/**
 * Draws the loss curve of a distill log (one series per language and per relation type) as an SVG. When a resumed
 * run logged a step twice, the later record wins. Returns the SVG file.
 */
export async function writeLossCurve(params: { log: string; file: string; maxPoints?: number }): Promise<string> {
  const records = await readJsonl<StepRecord>(params.log);
  const byStep = new Map<number, StepRecord>();
  for (const record of records) if (record.event === 'step' && typeof record.step === 'number') byStep.set(record.step, record);
  const steps = [...byStep.keys()].sort((a, b) => a - b).map((step) => byStep.get(step)!);
  const maxPoints = params.maxPoints ?? 400;
  const series: CurveSeries[] = [];
  for (const lang of ['en', 'ko']) {
    const points = steps.filter((r) => r.lang === lang).map((r) => [r.step!, Number(r.loss)] as [number, number]);
    if (points.length > 0) series.push({ name: `loss (${lang})`, points: smooth(points, maxPoints) });
  }
  for (const type of ['qq', 'kk', 'vv'] as const) {
    const points = steps.filter((r) => typeof r[type] === 'number').map((r) => [r.step!, r[type]!] as [number, number]);
    if (points.length > 0) series.push({ name: `${type.toUpperCase().split('').join('-')} (both)`, points: smooth(points, maxPoints) });
  }
  await writeFileAtomic(params.file, lossCurveSvg({ series, title: 'MiniLMv2 relation loss', logScale: true }));
  return params.file;
}

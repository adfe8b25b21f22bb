import type { EmbedInitMethod, MethodDetails } from './fit-method';
import type { InitEmbeddingsConfig } from './config';
import type { MappingMetrics } from './mapping-metrics';
import type { PairCounts } from './select-pairs';

export const INIT_REPORT_FORMAT = 'koenbert-embed-init-report/1';
export const INIT_REPORT_FILE = 'embed-init-report.json';

/** One method scored on the held-out pairs (fit on the rest). */
export interface MethodScore {
  method: EmbedInitMethod;
  /** null when the method failed on these pairs (see `error`). */
  heldOut: MappingMetrics | null;
  details: MethodDetails;
  /** Fit on the training pairs plus prediction of the held-out ones. */
  seconds: number;
  error?: string;
}

export interface InitEmbeddingsReport {
  format: typeof INIT_REPORT_FORMAT;
  korean: { source: string; vocabSize: number; hiddenSize: number };
  english: { source: string; vocabSize: number; hiddenSize: number };
  merged: { vocabSize: number; added: number };
  pairs: PairCounts & { train: number; heldOut: number };
  /** The method that filled the new rows, fit on all pairs. */
  chosen: { method: EmbedInitMethod; details: MethodDetails; seconds: number };
  scores: MethodScore[];
  timings: { loadSeconds: number; scoreSeconds: number; fitSeconds: number; writeSeconds: number };
  backend: string;
  files: string[];
  config: InitEmbeddingsConfig;
}

const percent = (value: number): string => (Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : '–');
const fixed = (value: number): string => (Number.isFinite(value) ? value.toFixed(3) : '–');
const seconds = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)}s`;
const number = (value: number): string => value.toLocaleString('en-US');

function describeDetails(details: MethodDetails): string {
  const parts: string[] = [];
  if (details.lambda !== undefined) parts.push(`λ ${details.lambda.toPrecision(3)}${details.alpha != null ? `, α ${details.alpha}` : ''}`);
  if (details.scale !== undefined) parts.push(`scale ${details.scale.toPrecision(3)}`);
  if (details.epochs !== undefined) parts.push(`${details.epochs} epochs`);
  if (details.fallbacks !== undefined) parts.push(`${details.fallbacks} without pieces`);
  return parts.join(', ');
}

/** The report as a plain-text table (what the CLI prints). */
export function formatInitEmbeddingsReport(report: InitEmbeddingsReport): string {
  const { pairs, chosen } = report;
  const lines = [
    `pairs: ${number(pairs.pairs)} of ${number(pairs.shared)} shared tokens (${pairs.special} special${pairs.nonWord ? `, ${pairs.nonWord} digits/punctuation` : ''} left out); ` +
      `held out ${number(pairs.heldOut)}, trained on ${number(pairs.train)}`,
    `rows added: ${number(report.merged.added)} (vocab ${number(report.korean.vocabSize)} → ${number(report.merged.vocabSize)}), ` +
      `English hidden ${report.english.hiddenSize} → Korean hidden ${report.korean.hiddenSize}`,
    `filled with: ${chosen.method}${describeDetails(chosen.details) ? ` (${describeDetails(chosen.details)})` : ''}, fit on all pairs in ${seconds(chosen.seconds)}`,
    '',
  ];
  const header = ['method', 'R²', 'cosine', 'top-1', 'top-5', 'time', 'notes'];
  const rows = report.scores.map((score) =>
    score.heldOut
      ? [score.method, fixed(score.heldOut.r2), fixed(score.heldOut.meanCosine), percent(score.heldOut.top1), percent(score.heldOut.top5), seconds(score.seconds), describeDetails(score.details)]
      : [score.method, '–', '–', '–', '–', seconds(score.seconds), `failed: ${score.error ?? ''}`],
  );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  lines.push(render(header), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render));
  const queries = report.scores.find((score) => score.heldOut)?.heldOut?.queries;
  lines.push('', `held-out scores: R² and cosine of mapped vs true Korean embeddings; top-k: true row among the k nearest of ${number(pairs.heldOut)} held-out rows (${number(queries ?? 0)} queries)`);
  return lines.join('\n');
}

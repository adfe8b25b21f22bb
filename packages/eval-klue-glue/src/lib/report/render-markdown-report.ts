import type { MergedResults } from '../results/merge-results';
import { buildReportModel, curveFileName } from './report-model';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((cells, r) => `| ${(r === 1 ? cells : cells.map(escapeCell)).join(' | ')} |`).join('\n');
}

/**
 * The report in markdown: the seed-style table (one row per model, one column per task), notes on protocol
 * and checkpoint, then per task every metric, the majority-class baseline, hyperparameters and links to the
 * loss-curve SVGs (`curveDir`, relative to the markdown file; `writeReport` writes them there).
 */
export function renderMarkdownReport(params: { merged: MergedResults; curveDir?: string }): string {
  const { merged, curveDir = 'loss-curves' } = params;
  const model = buildReportModel(merged);
  const parts = ['# KLUE / GLUE evaluation', '', table(model.header, model.rows), '', ...model.notes.map((n) => `- ${n}`), ''];
  for (const section of model.sections) {
    parts.push(`## ${section.title}`, '', table(section.header, section.rows), '');
    for (const curve of section.curves) {
      const task = curve.result.task;
      parts.push(`![training loss of ${curve.model} on ${section.title}](${curveDir}/${curveFileName(curve.model, task)})`);
    }
    parts.push('');
  }
  return parts.join('\n');
}

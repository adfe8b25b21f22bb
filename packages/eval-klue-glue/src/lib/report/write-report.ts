import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@koenbert/tensor-utils';
import type { MergedResults } from '../results/merge-results';
import { reportLossCurveSvg } from './report-loss-curve-svg';
import { renderHtmlReport } from './render-html-report';
import { renderMarkdownReport } from './render-markdown-report';
import { curveFileName, curveSeries } from './report-model';

/**
 * Writes report.md, report.html and loss-curves/*.svg into `outputDir`; returns the files written. The
 * report is one unit: report.md is removed first and written last, so a run killed in between never
 * leaves a report.md beside a report.html (or curves) it does not match — report.md means "complete".
 */
export async function writeReport(params: { merged: MergedResults; outputDir: string }): Promise<{ markdown: string; html: string; curves: string[] }> {
  const { merged, outputDir } = params;
  const markdown = path.join(outputDir, 'report.md');
  const html = path.join(outputDir, 'report.html');
  await fs.rm(markdown, { force: true });
  const curves: string[] = [];
  for (const result of merged.results) {
    const file = path.join(outputDir, 'loss-curves', curveFileName(result.model, result.task));
    await writeFileAtomic(file, reportLossCurveSvg({ title: `${result.model} — ${result.title}`, series: curveSeries(result) }));
    curves.push(file);
  }
  await writeFileAtomic(html, renderHtmlReport({ merged }));
  await writeFileAtomic(markdown, renderMarkdownReport({ merged, curveDir: 'loss-curves' }));
  return { markdown, html, curves };
}

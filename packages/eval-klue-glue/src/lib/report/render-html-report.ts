import type { MergedResults } from '../results/merge-results';
import { reportLossCurveSvg } from './report-loss-curve-svg';
import { buildReportModel, curveSeries } from './report-model';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function table(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th scope="row">${escapeHtml(cell)}</th>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

/** The same report as one self-contained HTML page, with the loss curves as inline SVG. */
export function renderHtmlReport(params: { merged: MergedResults; title?: string }): string {
  const { merged, title = 'KLUE / GLUE evaluation' } = params;
  const model = buildReportModel(merged);
  const sections = model.sections.map((section) => {
    const curves = section.curves.map((curve) => `<figure>${reportLossCurveSvg({ title: `${curve.model} — ${section.title}`, series: curveSeries(curve.result) })}</figure>`);
    return `<section>\n<h2>${escapeHtml(section.title)}</h2>\n${table(section.header, section.rows)}\n<div class="curves">${curves.join('\n')}</div>\n</section>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th[scope=row],thead th:first-child{text-align:left}figure{display:inline-block;margin:0 1em 1em 0}</style>',
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    table(model.header, model.rows),
    `<ul>${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`,
    ...sections,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lossCurve } from '../src/lib/results/loss-curve';
import { mergeResults } from '../src/lib/results/merge-results';
import { resultFile } from '../src/lib/results/result-file';
import { RESULT_FORMAT, type TaskResult } from '../src/lib/results/task-result';
import { renderHtmlReport } from '../src/lib/report/render-html-report';
import { renderMarkdownReport } from '../src/lib/report/render-markdown-report';
import { writeReport } from '../src/lib/report/write-report';
import { getTask, type TaskName } from '../src/lib/tasks/task-registry';

function result(params: { model: string; task: TaskName; values: number[]; mode?: 'cv' | 'train-dev'; checkpoint?: 'best' | 'last'; limit?: number }): TaskResult {
  const task = getTask(params.task);
  const mean = params.values.reduce((a, b) => a + b, 0) / params.values.length;
  const std = params.values.length > 1 ? Math.sqrt(params.values.reduce((a, v) => a + (v - mean) ** 2, 0) / (params.values.length - 1)) : 0;
  return {
    format: RESULT_FORMAT,
    model: params.model,
    modelPath: `/models/${params.model}`,
    task: task.name,
    title: task.title,
    benchmark: task.benchmark,
    primaryMetric: task.primaryMetric,
    mode: params.mode ?? 'train-dev',
    ...(params.mode === 'cv' ? { folds: 5 } : {}),
    checkpoint: params.checkpoint ?? 'best',
    tokenTypeIds: true,
    source: 'official',
    ...(params.limit ? { limit: params.limit } : {}),
    hyperparameters: task.defaults,
    seeds: params.values.map((_, i) => 42 + i),
    trainExamples: 100,
    evalExamples: 50,
    metrics: Object.fromEntries(task.metrics.map((m) => [m, { mean, std, values: params.values }])),
    majorityBaseline: task.kind === 'regression' ? undefined : { [task.primaryMetric]: 0.25 },
    runs: params.values.map((_, i) => ({
      seed: 42 + i,
      trainExamples: 100,
      evalExamples: 50,
      epochs: [{ epoch: 1, trainLoss: 0.7, validation: {} }],
      selectedEpoch: 1,
      lossCurve: [0.9, 0.7, 0.5 - i * 0.05],
      lossWindow: 2,
      steps: 6,
      seconds: 1,
    })),
    createdAt: '2026-11-29T00:00:00.000Z',
    seconds: 2,
  };
}

describe('lossCurve', () => {
  it.each([
    [[1, 2, 3, 4, 5], 10, [1, 2, 3, 4, 5], 1],
    [[1, 3, 5, 7, 9], 2, [3, 8], 3],
    [[0.123456789, 0.123456789], 1, [0.12346], 2],
  ])('%j in at most %i points', (losses, maxPoints, points, window) => {
    expect(lossCurve({ losses, maxPoints })).toEqual({ points, window });
  });
});

describe('mergeResults and reports', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eval-report-'));
  const write = (r: TaskResult): string => {
    const file = resultFile({ outputDir: dir, model: r.model, task: r.task });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(r));
    return file;
  };
  const files = [
    write(result({ model: 'kr-bert', task: 'glue-sst2', values: [0.81, 0.83] })),
    write(result({ model: 'kr-bert', task: 'klue-ynat', values: [0.5], mode: 'cv', limit: 300 })),
    write(result({ model: 'koen bert/v2', task: 'klue-ynat', values: [0.6], mode: 'cv', checkpoint: 'last' })),
    write(result({ model: 'koen bert/v2', task: 'glue-stsb', values: [0.7, 0.72, 0.74] })),
  ];

  it('a NaN seed survives the JSON file (stored as null) and shows as n/a', async () => {
    const nanDir = mkdtempSync(path.join(os.tmpdir(), 'eval-nan-'));
    const withNaN = { ...result({ model: 'nan-bert', task: 'klue-sts', values: [0.8, Number.NaN] }), notes: ['pearson is NaN for seed 43'] };
    withNaN.metrics.pearson = { mean: Number.NaN, std: Number.NaN, values: [0.8, Number.NaN] };
    const file = path.join(nanDir, 'klue-sts.json');
    writeFileSync(file, JSON.stringify(withNaN));
    expect(JSON.parse(readFileSync(file, 'utf8')).metrics.pearson).toEqual({ mean: null, std: null, values: [0.8, null] });
    const merged = await mergeResults([file]);
    expect(merged.results[0].metrics.pearson).toEqual({ mean: Number.NaN, std: Number.NaN, values: [0.8, Number.NaN] });
    const markdown = renderMarkdownReport({ merged });
    expect(markdown).toContain('n/a');
    expect(markdown).toContain('nan-bert, KLUE STS: pearson is NaN for seed 43.');
    // older result files (no validationFraction) chose the epoch on dev: the report says so
    expect(markdown).toContain('on the dev set in older result files without validationFraction');
  });

  it('orders rows by first appearance and columns as the registry (KLUE before GLUE)', async () => {
    const merged = await mergeResults(files);
    expect(merged.models).toEqual(['kr-bert', 'koen bert/v2']);
    expect(merged.tasks).toEqual(['klue-ynat', 'glue-stsb', 'glue-sst2']);
  });

  it('renders the seed-style markdown table with mean ± std, markers and notes', async () => {
    const markdown = renderMarkdownReport({ merged: await mergeResults(files) });
    const lines = markdown.split('\n');
    expect(lines).toContain('| Model | KLUE YNAT (macro F1) | GLUE STS-B (Spearman ρ) | GLUE SST-2 (accuracy) |');
    expect(lines).toContain('| kr-bert | 50.00 † ‡ | – | 82.00 ± 1.41 |');
    expect(lines).toContain('| koen bert/v2 | 60.00 † ˡ | 72.00 ± 2.00 | – |');
    expect(markdown).toContain('† k-fold cross-validation on the dev set');
    expect(markdown).toContain('cells marked ˡ (last epoch)');
    expect(markdown).toContain('## KLUE YNAT');
    expect(markdown).toContain('| kr-bert | 50.00 | 50.00 | 25.00 | 5-fold cv on dev, limit 300 | best | 42 | 100 / 50 | 0.00005 | 4 | 32 | 128 | 0.1 | 0.01 |');
    expect(markdown).toContain('![training loss of koen bert/v2 on GLUE STS-B](loss-curves/koen_bert_v2--glue-stsb.svg)');
  });

  it('renders HTML with escaped text and one inline SVG loss curve per result', async () => {
    const html = renderHtmlReport({ merged: await mergeResults(files) });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    expect((html.match(/<polyline /g) ?? []).length).toBe(2 + 1 + 1 + 3);
    expect(html).toContain('<th scope="row">koen bert/v2</th>');
    expect(html).toContain('72.00 ± 2.00');
  });

  it('writes report.md, report.html and the SVG files', async () => {
    const out = path.join(dir, 'report');
    const written = await writeReport({ merged: await mergeResults(files), outputDir: out });
    expect(existsSync(written.markdown) && existsSync(written.html)).toBe(true);
    expect(written.curves).toHaveLength(4);
    expect(readFileSync(written.curves[0], 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('writes the report as one unit: a failure before the end leaves no report.md (not even an older one)', async () => {
    const out = path.join(dir, 'report-unit');
    const merged = await mergeResults(files);
    await writeReport({ merged, outputDir: out });
    // the next write fails at report.html (a folder stands in its way, as a kill between the two would stop it)
    const html = path.join(out, 'report.html');
    rmSync(html);
    mkdirSync(path.join(html, 'blocker'), { recursive: true });
    await expect(writeReport({ merged, outputDir: out })).rejects.toThrow();
    expect(existsSync(path.join(out, 'report.md'))).toBe(false);
    rmSync(html, { recursive: true });
    const written = await writeReport({ merged, outputDir: out });
    expect(existsSync(written.markdown) && existsSync(written.html)).toBe(true);
  });

  it('refuses two results for the same model and task, and files that are not results', async () => {
    await expect(mergeResults([files[0], files[0]])).rejects.toThrow(/two results for model "kr-bert" on glue-sst2/);
    const bogus = path.join(dir, 'bogus.json');
    writeFileSync(bogus, '{"format":"something-else"}');
    await expect(mergeResults([bogus])).rejects.toThrow(/bogus\.json: not a koenbert-eval-result\/1 results file$/);
    await expect(mergeResults([path.join(dir, 'absent.json')])).rejects.toThrow(/absent\.json: file not found$/);
  });
});

import { findResult, type MergedResults } from '../results/merge-results';
import type { TaskResult } from '../results/task-result';
import { getTask } from '../tasks/task-registry';
import { formatMeanStd, formatScore, METRIC_LABELS } from './format-metric';

/** The seed-style table and per-task details as plain strings; markdown and HTML render the same model. */
export interface ReportModel {
  header: string[];
  rows: string[][];
  notes: string[];
  sections: Array<{ title: string; header: string[]; rows: string[][]; curves: Array<{ model: string; result: TaskResult }> }>;
}

function cellMarks(result: TaskResult, mixedCheckpoints: boolean): string {
  let marks = '';
  if (result.mode === 'cv') marks += ' †';
  if (result.limit !== undefined) marks += ' ‡';
  if (mixedCheckpoints && result.checkpoint === 'last') marks += ' ˡ';
  return marks;
}

function protocol(result: TaskResult): string {
  const base = result.mode === 'cv' ? `${result.folds}-fold cv on dev` : 'train → dev';
  return result.limit !== undefined ? `${base}, limit ${result.limit}` : base;
}

/** Rows per model, columns per task (primary metric, mean ± std over seeds), then one details table per task. */
export function buildReportModel(merged: MergedResults): ReportModel {
  const checkpoints = new Set(merged.results.map((r) => r.checkpoint));
  const mixed = checkpoints.size > 1;
  const header = ['Model', ...merged.tasks.map((task) => `${getTask(task).title} (${METRIC_LABELS[getTask(task).primaryMetric]})`)];
  const rows = merged.models.map((model) => [
    model,
    ...merged.tasks.map((task) => {
      const result = findResult(merged, model, task);
      return result ? `${formatMeanStd(result.metrics[result.primaryMetric])}${cellMarks(result, mixed)}` : '–';
    }),
  ]);
  const notes = ['Scores ×100 on the dev sets; mean ± sample std over seeds where several seeds ran.'];
  // Result files written before the validation-part rule chose the best epoch on the dev set: say so where present.
  const best = merged.results.some((r) => r.checkpoint === 'best' && r.validationFraction === undefined)
    ? 'the epoch best on a validation part of the training data (on the dev set in older result files without validationFraction)'
    : 'the epoch best on a validation part carved out of the training data, never on the scored examples';
  if (mixed) notes.push(`Checkpoint: ${best} of each run, except cells marked ˡ (last epoch).`);
  else notes.push(`Checkpoint: ${[...checkpoints][0] === 'last' ? 'the last epoch' : best} of each run.`);
  for (const result of merged.results) for (const note of result.notes ?? []) notes.push(`${result.model}, ${result.title}: ${note}.`);
  if (merged.results.some((r) => r.mode === 'cv')) {
    notes.push('† k-fold cross-validation on the dev set (fine-tuned on k−1 folds, scored on the held-out fold, predictions pooled) — not the train → dev protocol.');
  }
  if (merged.results.some((r) => r.limit !== undefined)) notes.push('‡ subsampled (limit on the examples of each split).');
  const sections = merged.tasks.map((task) => {
    const spec = getTask(task);
    const results = merged.models.map((model) => findResult(merged, model, task)).filter((r): r is TaskResult => r !== undefined);
    const sectionHeader = [
      'Model',
      ...spec.metrics.map((m) => METRIC_LABELS[m]),
      ...(spec.kind === 'regression' ? [] : [`majority baseline (${METRIC_LABELS[spec.primaryMetric]})`]),
      'protocol',
      'checkpoint',
      'seeds',
      'train / eval',
      'lr',
      'epochs',
      'batch',
      'max len',
      'warm-up',
      'weight decay',
      ...(spec.isPair ? ['token types'] : []),
    ];
    const sectionRows = results.map((r) => [
      r.model,
      ...spec.metrics.map((m) => formatMeanStd(r.metrics[m])),
      ...(spec.kind === 'regression' ? [] : [formatScore(r.majorityBaseline?.[spec.primaryMetric])]),
      protocol(r),
      r.checkpoint,
      r.seeds.join(', '),
      `${r.trainExamples} / ${r.evalExamples}`,
      String(r.hyperparameters.lr),
      String(r.hyperparameters.epochs),
      String(r.hyperparameters.batchSize),
      String(r.hyperparameters.maxLength),
      String(r.hyperparameters.warmupRatio),
      String(r.hyperparameters.weightDecay),
      ...(spec.isPair ? [r.tokenTypeIds ? 'on' : 'off'] : []),
    ]);
    return { title: spec.title, header: sectionHeader, rows: sectionRows, curves: results.map((result) => ({ model: result.model, result })) };
  });
  return { header, rows, notes, sections };
}

/** Loss-curve series of a result: one per run (seed, and fold in cv mode). */
export function curveSeries(result: TaskResult): Array<{ label: string; losses: number[]; window: number }> {
  return result.runs.map((run) => ({
    label: run.fold === undefined ? `seed ${run.seed}` : `seed ${run.seed} fold ${run.fold + 1}`,
    losses: run.lossCurve,
    window: run.lossWindow,
  }));
}

/** File-system-safe name of a curve, e.g. `my-model--klue-ynat.svg`. */
export function curveFileName(model: string, task: string): string {
  return `${model.replace(/[^A-Za-z0-9._-]+/g, '_')}--${task}.svg`;
}

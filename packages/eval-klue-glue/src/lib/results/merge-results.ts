import { promises as fs } from 'node:fs';
import { KoenbertError } from '@koenbert/tensor-utils';
import { TASK_NAMES, type TaskName } from '../tasks/task-registry';
import { RESULT_FORMAT, type TaskResult } from './task-result';

/** Results of several models and tasks, ready for a report (one row per model, one column per task). */
export interface MergedResults {
  /** Row order: first appearance in the input. */
  models: string[];
  /** Column order: the registry's (KLUE, then GLUE), tasks without any result left out. */
  tasks: TaskName[];
  results: TaskResult[];
}

/** Combines in-memory results; two results for the same model and task are an error. */
export function combineResults(results: readonly TaskResult[], sources: readonly string[] = []): MergedResults {
  const seen = new Map<string, number>();
  results.forEach((result, index) => {
    const key = `${result.model}\u0000${result.task}`;
    const previous = seen.get(key);
    if (previous !== undefined) {
      const where = sources.length > 0 ? ` (${sources[previous]} and ${sources[index]})` : '';
      throw new KoenbertError({ code: 'RESULTS_DUPLICATE', message: `two results for model "${result.model}" on ${result.task}${where}` });
    }
    seen.set(key, index);
  });
  const models = [...new Set(results.map((r) => r.model))];
  const present = new Set(results.map((r) => r.task));
  return { models, tasks: TASK_NAMES.filter((task) => present.has(task)), results: [...results] };
}

/** Reads results JSON files (as `evaluate` writes them) and combines them. */
export async function mergeResults(files: readonly string[]): Promise<MergedResults> {
  const results: TaskResult[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `not valid JSON (${(error as Error).message})`;
      throw new KoenbertError({ code: 'RESULTS_INVALID', file, message: reason, cause: error });
    }
    const result = parsed as Partial<TaskResult>;
    if (typeof result !== 'object' || result === null || result.format !== RESULT_FORMAT || !TASK_NAMES.includes(result.task as TaskName)) {
      throw new KoenbertError({ code: 'RESULTS_INVALID', file, message: `not a ${RESULT_FORMAT} results file` });
    }
    results.push(reviveNaN(result as TaskResult));
  }
  return combineResults(results, files);
}

/** JSON has no NaN: a NaN seed's metric (and the mean and std it makes NaN) is stored as null; read it back as NaN. */
function reviveNaN(result: TaskResult): TaskResult {
  const metrics: TaskResult['metrics'] = {};
  const nan = (value: number | null) => (value === null ? Number.NaN : value);
  for (const [name, summary] of Object.entries(result.metrics ?? {})) {
    if (!summary) continue;
    metrics[name as keyof TaskResult['metrics']] = { mean: nan(summary.mean), std: nan(summary.std), values: summary.values.map(nan) };
  }
  return { ...result, metrics };
}

/** The result of one model on one task, if any. */
export function findResult(merged: MergedResults, model: string, task: TaskName): TaskResult | undefined {
  return merged.results.find((r) => r.model === model && r.task === task);
}

import { KoenbertError } from '@koenbert/tensor-utils';
import { readTextFile, splitLines } from '../io/read-text-file';
import { taskMetrics, type MetricValues, type TaskPredictions } from '../metrics/task-metrics';
import type { TaskSpec } from '../tasks/task-registry';
import type { PredictionRecord } from './prediction-records';

function recordError(file: string, line: number, message: string): KoenbertError {
  return new KoenbertError({ code: 'PREDICTIONS_INVALID', file, message: `line ${line}: ${message}` });
}

function classOf(params: { task: TaskSpec; value: unknown; file: string; line: number }): number {
  const index = params.task.labels.indexOf(params.value as string);
  if (index < 0) throw recordError(params.file, params.line, `${JSON.stringify(params.value)} is not a ${params.task.title} label`);
  return index;
}

/**
 * Scores a predictions file (as `evaluate` writes it) again, without the model: the records of each seed, in file
 * order, go through the same `taskMetrics` as the run. Returns one entry per seed, in order of first appearance.
 */
export async function rescorePredictions(params: { task: TaskSpec; file: string }): Promise<Array<{ seed: number; metrics: MetricValues }>> {
  const { task, file } = params;
  const bySeed = new Map<number, { gold: unknown[]; predicted: unknown[]; goldBinary: number[]; chars: string[][] }>();
  splitLines(await readTextFile(file)).forEach((text, index) => {
    if (text.trim() === '') return;
    const line = index + 1;
    let record: PredictionRecord;
    try {
      record = JSON.parse(text) as PredictionRecord;
    } catch (error) {
      throw recordError(file, line, `not valid JSON (${(error as Error).message})`);
    }
    if (typeof record.seed !== 'number') throw recordError(file, line, 'no "seed"');
    let entry = bySeed.get(record.seed);
    if (!entry) {
      entry = { gold: [], predicted: [], goldBinary: [], chars: [] };
      bySeed.set(record.seed, entry);
    }
    if (task.kind === 'token-classification') {
      if (!Array.isArray(record.gold) || !Array.isArray(record.prediction) || typeof record.chars !== 'string') {
        throw recordError(file, line, 'NER records need "chars" and tag lists "gold" and "prediction"');
      }
      entry.gold.push(record.gold.map((value) => classOf({ task, value, file, line })));
      entry.predicted.push(record.prediction.map((value) => classOf({ task, value, file, line })));
      entry.chars.push([...record.chars]);
    } else if (task.kind === 'regression') {
      if (typeof record.gold !== 'number' || typeof record.prediction !== 'number') throw recordError(file, line, '"gold" and "prediction" must be numbers');
      entry.gold.push(record.gold);
      entry.predicted.push(record.prediction);
      if (record.goldBinary !== undefined) entry.goldBinary.push(record.goldBinary);
    } else {
      entry.gold.push(classOf({ task, value: record.gold, file, line }));
      entry.predicted.push(classOf({ task, value: record.prediction, file, line }));
    }
  });
  return [...bySeed].map(([seed, entry]) => {
    const predictions = {
      kind: task.kind,
      gold: entry.gold,
      predicted: entry.predicted,
      ...(task.kind === 'token-classification' ? { chars: entry.chars } : {}),
      ...(entry.goldBinary.length > 0 && entry.goldBinary.length === entry.gold.length ? { goldBinary: entry.goldBinary } : {}),
    } as TaskPredictions;
    return { seed, metrics: taskMetrics({ task, predictions }) };
  });
}

import { taskMetrics, type MetricValues, type TaskPredictions } from '../metrics/task-metrics';
import type { TaskSpec } from '../tasks/task-registry';
import type { EncodedExample } from '../tokenize/encode-examples';
import { majorityPredictions } from './majority-predictions';
import { poolPredictions } from './pool-predictions';

/**
 * Metrics of the majority class over the same runs as the model (one train → dev split, or every cv fold, each
 * predicting its own training part's most frequent class, pooled over the `size` scored examples); undefined for
 * regression, which has no majority class.
 */
export function majorityBaseline(params: {
  task: TaskSpec;
  size: number;
  runs: ReadonlyArray<{ indices: readonly number[]; train: readonly EncodedExample[]; evalSet: readonly EncodedExample[] }>;
}): MetricValues | undefined {
  const { task } = params;
  const parts: Array<{ indices: readonly number[]; predictions: TaskPredictions }> = [];
  for (const run of params.runs) {
    const predictions = majorityPredictions({ task, train: run.train, evalSet: run.evalSet });
    if (!predictions) return undefined;
    parts.push({ indices: run.indices, predictions });
  }
  return taskMetrics({ task, predictions: poolPredictions({ size: params.size, parts }) });
}

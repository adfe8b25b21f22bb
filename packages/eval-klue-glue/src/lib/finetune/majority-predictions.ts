import type { TaskPredictions } from '../metrics/task-metrics';
import type { TaskSpec } from '../tasks/task-registry';
import type { EncodedExample } from '../tokenize/encode-examples';
import { goldOf } from './predict';

/**
 * The majority-class baseline on `evalSet`: every example gets the most frequent class of `train` (ties: the lower
 * index); NER predicts O for every character. Undefined for regression.
 */
export function majorityPredictions(params: { task: TaskSpec; train: readonly EncodedExample[]; evalSet: readonly EncodedExample[] }): TaskPredictions | undefined {
  const { task, train, evalSet } = params;
  const gold = goldOf(task, evalSet);
  if (gold.kind === 'regression') return undefined;
  if (gold.kind === 'token-classification') {
    const outside = task.labels.indexOf('O');
    return { ...gold, predicted: gold.gold.map((sentence) => sentence.map(() => outside)) };
  }
  const counts = new Array<number>(task.labels.length).fill(0);
  for (const example of train) counts[example.label ?? 0]++;
  const majority = counts.indexOf(Math.max(...counts));
  return { ...gold, predicted: gold.gold.map(() => majority) };
}

import { checkLengths } from './check-lengths';
import { classCounts, f1FromCounts } from './class-counts';

/**
 * Unweighted mean of per-class F1 (scikit-learn `f1_score(average='macro')`): over `labels` when given,
 * otherwise over the classes that occur in gold or predictions; a class with no gold and no predicted
 * example scores `zeroDivision` (default 0).
 */
export function macroF1(params: {
  gold: ArrayLike<number>;
  predicted: ArrayLike<number>;
  labels?: readonly number[];
  zeroDivision?: number;
}): number {
  checkLengths({ metric: 'macroF1', gold: params.gold, predicted: params.predicted });
  const counts = classCounts(params);
  const labels = params.labels ?? [...counts.keys()].sort((a, b) => a - b);
  if (labels.length === 0) return 0;
  let sum = 0;
  for (const label of labels) sum += f1FromCounts(counts.get(label) ?? { tp: 0, fp: 0, fn: 0 }, params.zeroDivision ?? 0);
  return sum / labels.length;
}

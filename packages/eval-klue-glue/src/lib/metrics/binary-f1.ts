import { checkLengths } from './check-lengths';
import { classCounts, f1FromCounts } from './class-counts';

/** F1 of the positive class (scikit-learn `f1_score(average='binary')`, 0 when ill-defined). */
export function binaryF1(params: { gold: ArrayLike<number>; predicted: ArrayLike<number>; positive?: number }): number {
  checkLengths({ metric: 'binaryF1', gold: params.gold, predicted: params.predicted });
  const counts = classCounts(params).get(params.positive ?? 1) ?? { tp: 0, fp: 0, fn: 0 };
  return f1FromCounts(counts, 0);
}

import { averageRanks } from './average-ranks';
import { checkLengths } from './check-lengths';
import { pearson } from './pearson';

/** Spearman's rank correlation: Pearson's r of the average ranks (ties share their mean rank). */
export function spearman(params: { x: ArrayLike<number>; y: ArrayLike<number> }): number {
  checkLengths({ metric: 'spearman', gold: params.x, predicted: params.y });
  return pearson({ x: averageRanks(params.x), y: averageRanks(params.y) });
}

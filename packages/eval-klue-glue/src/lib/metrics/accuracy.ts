import { checkLengths } from './check-lengths';

/** Fraction of predictions equal to the gold label (0 for no examples). */
export function accuracy(params: { gold: ArrayLike<number>; predicted: ArrayLike<number> }): number {
  const { gold, predicted } = params;
  checkLengths({ metric: 'accuracy', gold, predicted });
  if (gold.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] === predicted[i]) correct++;
  return correct / gold.length;
}

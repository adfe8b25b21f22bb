import { checkLengths } from './check-lengths';
import { macroF1 } from './macro-f1';

/**
 * KLUE NER's character-level macro F1: every character of every sentence is one example, F1 is averaged
 * over all `numLabels` tags (O included), and a tag absent from both gold and predictions scores 1
 * (scikit-learn `f1_score(labels=range(numLabels), average='macro', zero_division=1)`, as KLUE's baseline).
 */
export function charMacroF1(params: { gold: ReadonlyArray<ArrayLike<number>>; predicted: ReadonlyArray<ArrayLike<number>>; numLabels: number }): number {
  checkLengths({ metric: 'charMacroF1', gold: params.gold, predicted: params.predicted });
  const gold: number[] = [];
  const predicted: number[] = [];
  params.gold.forEach((sentence, s) => {
    checkLengths({ metric: `charMacroF1 (sentence ${s})`, gold: sentence, predicted: params.predicted[s] });
    for (let i = 0; i < sentence.length; i++) {
      gold.push(sentence[i]);
      predicted.push(params.predicted[s][i]);
    }
  });
  const labels = Array.from({ length: params.numLabels }, (_, i) => i);
  return macroF1({ gold, predicted, labels, zeroDivision: 1 });
}

import { binaryF1 } from './binary-f1';
import { checkLengths } from './check-lengths';

/** KLUE STS's paraphrase threshold: a pair is a paraphrase when its score is at least 3 (KLUE's binary-label rule). */
export const KLUE_STS_THRESHOLD = 3;

/**
 * KLUE STS's F1: predicted scores turned into paraphrase / not (score ≥ 3.0) against the gold binary labels, F1 of
 * the paraphrase class (as KLUE's baseline klue_sts_f1).
 */
export function klueStsF1(params: { goldBinary: ArrayLike<number>; predicted: ArrayLike<number> }): number {
  const { goldBinary, predicted } = params;
  checkLengths({ metric: 'klueStsF1', gold: goldBinary, predicted });
  const predictedBinary = Array.from(predicted, (score) => (score >= KLUE_STS_THRESHOLD ? 1 : 0));
  return binaryF1({ gold: goldBinary, predicted: predictedBinary, positive: 1 });
}

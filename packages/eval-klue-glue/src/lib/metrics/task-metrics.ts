import type { MetricName, TaskSpec } from '../tasks/task-registry';
import { accuracy } from './accuracy';
import { binaryF1 } from './binary-f1';
import { klueNerScores } from './klue-ner-scores';
import { klueStsF1, KLUE_STS_THRESHOLD } from './klue-sts-f1';
import { macroF1 } from './macro-f1';
import { pearson } from './pearson';
import { spearman } from './spearman';

export type MetricValues = Partial<Record<MetricName, number>>;

/**
 * Gold and predictions of one task: class ids, scores, or per-sentence character tag ids (NER). `goldBinary`
 * (KLUE STS's binary label) and `chars` (NER: the sentence's characters, so that spaces can be left out) are
 * carried where the task's official scoring needs them.
 */
export type TaskPredictions =
  | { kind: 'classification'; gold: number[]; predicted: number[] }
  | { kind: 'regression'; gold: number[]; predicted: number[]; goldBinary?: number[] }
  | { kind: 'token-classification'; gold: number[][]; predicted: number[][]; chars?: string[][] };

/** Every metric of `task.metrics` (values in [0, 1]; correlations in [-1, 1]). */
export function taskMetrics(params: { task: TaskSpec; predictions: TaskPredictions }): MetricValues {
  const { task, predictions } = params;
  const values: MetricValues = {};
  if (predictions.kind === 'token-classification') {
    // Without characters every position counts (no spaces to leave out).
    const chars = predictions.chars ?? predictions.gold.map((sentence) => sentence.map(() => 'x'));
    return klueNerScores({ chars, gold: predictions.gold, predicted: predictions.predicted, labels: task.labels });
  }
  const { gold, predicted } = predictions;
  for (const metric of task.metrics) {
    if (metric === 'accuracy') values.accuracy = accuracy({ gold, predicted });
    if (metric === 'macro_f1') values.macro_f1 = macroF1({ gold, predicted });
    if (metric === 'pearson') values.pearson = pearson({ x: gold, y: predicted });
    if (metric === 'spearman') values.spearman = spearman({ x: gold, y: predicted });
    if (metric === 'f1') {
      if (predictions.kind === 'regression') {
        // KLUE STS: F1 of the binary label; real-label ≥ 3 where the file has no binary label (the same rule).
        const goldBinary = predictions.goldBinary ?? gold.map((score) => (score >= KLUE_STS_THRESHOLD ? 1 : 0));
        values.f1 = klueStsF1({ goldBinary, predicted });
      } else {
        values.f1 = binaryF1({ gold, predicted, positive: 1 });
      }
    }
  }
  return values;
}

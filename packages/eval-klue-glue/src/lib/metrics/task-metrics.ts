import type { MetricName, TaskSpec } from '../tasks/task-registry';
import { accuracy } from './accuracy';
import { binaryF1 } from './binary-f1';
import { charMacroF1 } from './char-macro-f1';
import { entityF1 } from './entity-f1';
import { macroF1 } from './macro-f1';
import { pearson } from './pearson';
import { spearman } from './spearman';

export type MetricValues = Partial<Record<MetricName, number>>;

/** Gold and predictions of one task: class ids, scores, or per-sentence character tag ids (NER). */
export type TaskPredictions =
  | { kind: 'classification'; gold: number[]; predicted: number[] }
  | { kind: 'regression'; gold: number[]; predicted: number[] }
  | { kind: 'token-classification'; gold: number[][]; predicted: number[][] };

/** Every metric of `task.metrics` (values in [0, 1]; correlations in [-1, 1]). */
export function taskMetrics(params: { task: TaskSpec; predictions: TaskPredictions }): MetricValues {
  const { task, predictions } = params;
  const values: MetricValues = {};
  if (predictions.kind === 'token-classification') {
    const toTags = (sentence: number[]): string[] => sentence.map((id) => task.labels[id]);
    const entities = entityF1({ gold: predictions.gold.map(toTags), predicted: predictions.predicted.map(toTags) });
    values.entity_f1 = entities.f1;
    values.entity_macro_f1 = entities.macroF1;
    values.char_macro_f1 = charMacroF1({ gold: predictions.gold, predicted: predictions.predicted, numLabels: task.labels.length });
  } else {
    const { gold, predicted } = predictions;
    for (const metric of task.metrics) {
      if (metric === 'accuracy') values.accuracy = accuracy({ gold, predicted });
      if (metric === 'macro_f1') values.macro_f1 = macroF1({ gold, predicted });
      if (metric === 'f1') values.f1 = binaryF1({ gold, predicted, positive: 1 });
      if (metric === 'pearson') values.pearson = pearson({ x: gold, y: predicted });
      if (metric === 'spearman') values.spearman = spearman({ x: gold, y: predicted });
    }
  }
  return values;
}

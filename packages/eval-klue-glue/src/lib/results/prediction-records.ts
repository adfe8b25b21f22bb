import type { TaskPredictions } from '../metrics/task-metrics';
import type { TaskSpec } from '../tasks/task-registry';

/**
 * One line of a predictions file: which run (seed, cv fold), which example, the gold value and the model's output —
 * class names for classification, scores for regression, one tag per character for NER (with the characters, since
 * KLUE scores them without spaces). Enough to rescore a run without the model.
 */
export interface PredictionRecord {
  seed: number;
  /** 0-based cv fold that held the example out (cv mode only). */
  fold?: number;
  id: string;
  gold: string | number | string[];
  prediction: string | number | string[];
  /** KLUE STS: the gold binary label. */
  goldBinary?: number;
  /** NER: the sentence's characters. */
  chars?: string;
}

/** The records of one seed's (pooled) predictions, in evaluation-set order. */
export function predictionRecords(params: {
  task: TaskSpec;
  seed: number;
  ids: readonly string[];
  /** Per example, the cv fold that held it out. */
  folds?: readonly number[];
  predictions: TaskPredictions;
}): PredictionRecord[] {
  const { task, seed, ids, folds, predictions } = params;
  return ids.map((id, i) => {
    const base = { seed, ...(folds ? { fold: folds[i] } : {}), id };
    if (predictions.kind === 'token-classification') {
      const toTags = (sentence: number[]) => sentence.map((tag) => task.labels[tag]);
      const chars = predictions.chars?.[i];
      return { ...base, ...(chars ? { chars: chars.join('') } : {}), gold: toTags(predictions.gold[i]), prediction: toTags(predictions.predicted[i]) };
    }
    if (predictions.kind === 'regression') {
      const goldBinary = predictions.goldBinary?.[i];
      return { ...base, gold: predictions.gold[i], prediction: predictions.predicted[i], ...(goldBinary !== undefined ? { goldBinary } : {}) };
    }
    return { ...base, gold: task.labels[predictions.gold[i]], prediction: task.labels[predictions.predicted[i]] };
  });
}

import type { MetricValues } from '../metrics/task-metrics';
import type { Hyperparameters, MetricName, TaskName } from '../tasks/task-registry';

export const RESULT_FORMAT = 'koenbert-eval-result/1';

/** Scores after one epoch of one run. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  /** checkpoint 'best': metrics on the validation part of the training data that chose the epoch (never the scored set). */
  validation?: MetricValues;
}

/** One fine-tuning run: one seed, and in cv mode one held-out fold. */
export interface RunRecord {
  seed: number;
  /** 0-based held-out fold (cv mode only). */
  fold?: number;
  /** Examples trained on (the validation part excluded). */
  trainExamples: number;
  /** checkpoint 'best': examples of the validation part carved out of the training data. */
  validationExamples?: number;
  evalExamples: number;
  epochs: EpochRecord[];
  /** 1-based epoch whose predictions were scored (best on the validation part, or last, per `checkpoint`). */
  selectedEpoch: number;
  /** Training loss curve: mean loss over consecutive windows of `lossWindow` steps. */
  lossCurve: number[];
  lossWindow: number;
  steps: number;
  seconds: number;
}

/** One task's scores for one model: what `evaluate` writes and `mergeResults` reads. */
export interface TaskResult {
  format: typeof RESULT_FORMAT;
  model: string;
  modelPath: string;
  task: TaskName;
  title: string;
  benchmark: 'klue' | 'glue';
  primaryMetric: MetricName;
  /** `train-dev`: train split → dev split; `cv`: k-fold cross-validation on the dev split (pooled held-out predictions). */
  mode: 'train-dev' | 'cv';
  folds?: number;
  checkpoint: 'best' | 'last';
  tokenTypeIds: boolean;
  /** The tokenizer file(s) the text was encoded with (absent in results written before it was recorded). */
  tokenizer?: string;
  source: 'official' | 'hub';
  limit?: number;
  hyperparameters: Hyperparameters;
  seeds: number[];
  trainExamples: number;
  evalExamples: number;
  /**
   * Per metric: mean and sample std over seeds, and each seed's value. A seed whose metric is NaN keeps its NaN in
   * `values` (null in the JSON file), and mean and std are NaN then (see `notes`).
   */
  metrics: Partial<Record<MetricName, { mean: number; std: number; values: number[] }>>;
  /** checkpoint 'best': fraction of the training data (each cv training part) held out to choose the epoch. */
  validationFraction?: number;
  /** File name, beside the result JSON, of the predictions (JSONL: seed, fold, id, gold, prediction per example). */
  predictionsFile?: string;
  /** Things a reader of the numbers must know (NaN seeds, replaced task heads). */
  notes?: string[];
  /** Metrics of predicting the training data's most frequent class (all O for NER); absent for regression. */
  majorityBaseline?: MetricValues;
  runs: RunRecord[];
  createdAt: string;
  seconds: number;
}

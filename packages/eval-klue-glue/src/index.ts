// Public API of @koenbert/eval-klue-glue: fine-tune and score any BERT on KLUE and GLUE.

// Running an evaluation (one task per call) and its configuration
export { evaluate, evaluateIter, type EvaluateEvent, type RunContext } from './lib/evaluate';
export { EvalConfigSchema, parseEvalConfig, resolveHyperparameters, type EvalConfig, type EvalConfigInput } from './lib/config';
export { finetuneIter, type FinetuneEvent, type FinetuneOutcome, type FinetuneParams } from './lib/finetune/finetune-iter';
export { finetuneStepPlan } from './lib/finetune/finetune-step-plan';

// Tasks and data
export {
  TASK_NAMES,
  METRIC_NAMES,
  getTask,
  type TaskName,
  type TaskSpec,
  type TaskKind,
  type MetricName,
  type Hyperparameters,
} from './lib/tasks/task-registry';

// Tokenization
export { loadTokenizer, type LoadedTokenizer } from './lib/tokenize/load-tokenizer';
export { TOKENIZER_CHOICES, type TokenizerChoice } from './lib/tokenize/tokenizer-choice';
export type { EncodedExample } from './lib/tokenize/encode-examples';

// Metrics
export { klueNerScores } from './lib/metrics/klue-ner-scores';
export { klueStsF1 } from './lib/metrics/klue-sts-f1';
export { taskMetrics, type MetricValues, type TaskPredictions } from './lib/metrics/task-metrics';

// Results and reports
export { RESULT_FORMAT, type TaskResult, type RunRecord, type EpochRecord } from './lib/results/task-result';
export { mergeResults, type MergedResults } from './lib/results/merge-results';
export { resultFile } from './lib/results/result-file';
export { rescorePredictions } from './lib/results/rescore-predictions';
export { renderMarkdownReport } from './lib/report/render-markdown-report';
export { renderHtmlReport } from './lib/report/render-html-report';
export { writeReport } from './lib/report/write-report';

// Linear probes of frozen features (a cheaper instrument beside fine-tuning)
export { linearProbe, PROBE_RESULT_FORMAT, type LinearProbeParams, type ProbeResult } from './lib/probe/linear-probe';
export type { Pooling } from './lib/probe/probe-features';

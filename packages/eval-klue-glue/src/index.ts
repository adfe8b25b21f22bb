// Public API of @koenbert/eval-klue-glue: fine-tune and score any BERT on KLUE and GLUE.

// Running an evaluation (one task per call) and its configuration
export { evaluate, evaluateIter, type EvaluateEvent, type RunContext } from './lib/evaluate';
export { EvalConfigSchema, parseEvalConfig, resolveHyperparameters, type EvalConfig, type EvalConfigInput } from './lib/config';
export { finetuneIter, type FinetuneEvent, type FinetuneOutcome, type FinetuneParams } from './lib/finetune/finetune-iter';

// Tasks and data
export {
  TASK_NAMES,
  METRIC_NAMES,
  KLUE_NER_LABELS,
  getTask,
  listTasks,
  type TaskName,
  type TaskSpec,
  type TaskKind,
  type MetricName,
  type Hyperparameters,
} from './lib/tasks/task-registry';
export { isNerExample, type NerExample, type SentenceExample, type TaskExample } from './lib/tasks/examples';
export { loadSplit, findOfficialFile, type LoadSplitParams, type DataSourceKind } from './lib/tasks/load-split';
export { readOfficialFile } from './lib/tasks/read-official-file';
export { readHfParquet } from './lib/tasks/hf/read-hf-parquet';
export { subsample } from './lib/data/subsample';
export { makeFolds } from './lib/data/make-folds';
export { carveValidation } from './lib/data/carve-validation';
export { runSplits, type RunSplit } from './lib/data/run-splits';
export { meanStd } from './lib/data/mean-std';

// Tokenization and NER alignment
export { loadTokenizer, type LoadedTokenizer } from './lib/tokenize/load-tokenizer';
export { TOKENIZER_CHOICES, tokenizerLanguage, type TokenizerChoice } from './lib/tokenize/tokenizer-choice';
export { encodeExamples, type EncodedExample } from './lib/tokenize/encode-examples';
export { alignCharLabels, IGNORE_LABEL } from './lib/ner/align-char-labels';
export { charPredictions } from './lib/ner/char-predictions';

// Metrics
export { accuracy } from './lib/metrics/accuracy';
export { binaryF1 } from './lib/metrics/binary-f1';
export { macroF1 } from './lib/metrics/macro-f1';
export { pearson } from './lib/metrics/pearson';
export { spearman } from './lib/metrics/spearman';
export { averageRanks } from './lib/metrics/average-ranks';
export { extractEntities, type EntitySpan } from './lib/metrics/extract-entities';
export { entityF1, type EntityScores } from './lib/metrics/entity-f1';
export { charMacroF1 } from './lib/metrics/char-macro-f1';
export { klueNerScores } from './lib/metrics/klue-ner-scores';
export { klueStsF1, KLUE_STS_THRESHOLD } from './lib/metrics/klue-sts-f1';
export { taskMetrics, type MetricValues, type TaskPredictions } from './lib/metrics/task-metrics';

// Results and reports
export { RESULT_FORMAT, type TaskResult, type RunRecord, type EpochRecord } from './lib/results/task-result';
export { mergeResults, combineResults, findResult, type MergedResults } from './lib/results/merge-results';
export { resultFile } from './lib/results/result-file';
export { predictionRecords, type PredictionRecord } from './lib/results/prediction-records';
export { rescorePredictions } from './lib/results/rescore-predictions';
export { summariseSeeds } from './lib/results/summarise-seeds';
export { renderMarkdownReport } from './lib/report/render-markdown-report';
export { renderHtmlReport } from './lib/report/render-html-report';
export { writeReport } from './lib/report/write-report';

// Linear probes of frozen features (a cheaper instrument beside fine-tuning)
export { linearProbe, PROBE_RESULT_FORMAT, type LinearProbeParams, type ProbeResult } from './lib/probe/linear-probe';
export { probeFeatures, type Pooling } from './lib/probe/probe-features';
export { fitRidgeProbe, applyRidgeProbe, PROBE_ALPHAS, type RidgeProbe } from './lib/probe/ridge-probe';

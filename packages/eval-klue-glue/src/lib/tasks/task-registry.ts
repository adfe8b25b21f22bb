import { KoenbertError } from '@koenbert/tensor-utils';

export const TASK_NAMES = ['klue-ynat', 'klue-sts', 'klue-nli', 'klue-ner', 'glue-mrpc', 'glue-stsb', 'glue-sst2', 'glue-qnli'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export type TaskKind = 'classification' | 'regression' | 'token-classification';

/** Metric keys as they appear in results JSON; values are in [0, 1] (correlations in [-1, 1]). */
export const METRIC_NAMES = ['macro_f1', 'accuracy', 'f1', 'pearson', 'spearman', 'entity_f1', 'entity_macro_f1', 'char_macro_f1'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Hyperparameters {
  lr: number;
  epochs: number;
  batchSize: number;
  maxLength: number;
  /** Fraction of the optimisation steps with linear warm-up. */
  warmupRatio: number;
  weightDecay: number;
  seed: number;
}

export interface TaskSpec {
  name: TaskName;
  benchmark: 'klue' | 'glue';
  /** Column heading in reports, e.g. "KLUE YNAT". */
  title: string;
  kind: TaskKind;
  /** Two input texts (encoded as a pair with [SEP] and token type ids). */
  isPair: boolean;
  /** Class names in model-output order (empty for regression). */
  labels: readonly string[];
  /** The metric that selects the best checkpoint and heads the report column. */
  primaryMetric: MetricName;
  metrics: readonly MetricName[];
  defaults: Hyperparameters;
  /** Official files, relative to the data folder; the first one that exists is used. */
  officialFiles: { train: readonly string[]; dev: readonly string[] };
  /** The Hugging Face datasets version: repo, config (folder of parquet shards) and split names. */
  hub: { repo: string; config: string; trainSplit: string; devSplit: string };
}

// Defaults of the original project's evaluation (issue 7). KLUE: lr 5e-5, warm-up 10 %, seed 42;
// weight decay 0 for STS as stated, 0.01 for the other KLUE tasks (not stated; the usual BERT value).
// GLUE: lr 1e-5, 3 epochs, batch 32, max length 128, warm-up 5 %, weight decay 0.01.
const KLUE = { lr: 5e-5, warmupRatio: 0.1, seed: 42 } as const;
const GLUE: Hyperparameters = { lr: 1e-5, epochs: 3, batchSize: 32, maxLength: 128, warmupRatio: 0.05, weightDecay: 0.01, seed: 42 };

/** KLUE NER tags in the order of the Hugging Face `klue` dataset's ClassLabel. */
export const KLUE_NER_LABELS = ['B-DT', 'I-DT', 'B-LC', 'I-LC', 'B-OG', 'I-OG', 'B-PS', 'I-PS', 'B-QT', 'I-QT', 'B-TI', 'I-TI', 'O'] as const;

const TASKS: Record<TaskName, TaskSpec> = {
  'klue-ynat': {
    name: 'klue-ynat',
    benchmark: 'klue',
    title: 'KLUE YNAT',
    kind: 'classification',
    isPair: false,
    labels: ['IT과학', '경제', '사회', '생활문화', '세계', '스포츠', '정치'],
    primaryMetric: 'macro_f1',
    metrics: ['macro_f1', 'accuracy'],
    defaults: { ...KLUE, epochs: 4, batchSize: 32, maxLength: 128, weightDecay: 0.01 },
    officialFiles: { train: ['klue/ynat/ynat-v1.1_train.json'], dev: ['klue/ynat/ynat-v1.1_dev.json'] },
    hub: { repo: 'klue/klue', config: 'ynat', trainSplit: 'train', devSplit: 'validation' },
  },
  'klue-sts': {
    name: 'klue-sts',
    benchmark: 'klue',
    title: 'KLUE STS',
    kind: 'regression',
    isPair: true,
    labels: [],
    // KLUE's official STS scores: Pearson on the real-valued label and F1 of the binary label (Spearman extra).
    primaryMetric: 'pearson',
    metrics: ['pearson', 'f1', 'spearman'],
    defaults: { ...KLUE, epochs: 4, batchSize: 32, maxLength: 128, weightDecay: 0 },
    officialFiles: { train: ['klue/sts/klue-sts-v1.1_train.json', 'klue/sts/klue-sts-train.csv'], dev: ['klue/sts/klue-sts-v1.1_dev.json'] },
    hub: { repo: 'klue/klue', config: 'sts', trainSplit: 'train', devSplit: 'validation' },
  },
  'klue-nli': {
    name: 'klue-nli',
    benchmark: 'klue',
    title: 'KLUE NLI',
    kind: 'classification',
    isPair: true,
    labels: ['entailment', 'neutral', 'contradiction'],
    primaryMetric: 'accuracy',
    metrics: ['accuracy'],
    defaults: { ...KLUE, epochs: 5, batchSize: 32, maxLength: 128, weightDecay: 0.01 },
    officialFiles: { train: ['klue/nli/klue-nli-v1.1_train.json'], dev: ['klue/nli/klue-nli-v1.1_dev.json'] },
    hub: { repo: 'klue/klue', config: 'nli', trainSplit: 'train', devSplit: 'validation' },
  },
  'klue-ner': {
    name: 'klue-ner',
    benchmark: 'klue',
    title: 'KLUE NER',
    kind: 'token-classification',
    isPair: false,
    labels: KLUE_NER_LABELS,
    // KLUE's official NER scores (characters without spaces): entity-level macro F1 and character-level macro F1.
    primaryMetric: 'entity_macro_f1',
    metrics: ['entity_macro_f1', 'char_macro_f1', 'entity_f1'],
    defaults: { ...KLUE, epochs: 3, batchSize: 8, maxLength: 510, weightDecay: 0.01 },
    officialFiles: { train: ['klue/ner/klue-ner-v1.1_train.tsv'], dev: ['klue/ner/klue-ner-v1.1_dev.tsv'] },
    hub: { repo: 'klue/klue', config: 'ner', trainSplit: 'train', devSplit: 'validation' },
  },
  'glue-mrpc': {
    name: 'glue-mrpc',
    benchmark: 'glue',
    title: 'GLUE MRPC',
    kind: 'classification',
    isPair: true,
    labels: ['0', '1'],
    primaryMetric: 'f1',
    metrics: ['f1', 'accuracy'],
    defaults: GLUE,
    officialFiles: { train: ['glue/mrpc/train.tsv'], dev: ['glue/mrpc/dev.tsv'] },
    hub: { repo: 'nyu-mll/glue', config: 'mrpc', trainSplit: 'train', devSplit: 'validation' },
  },
  'glue-stsb': {
    name: 'glue-stsb',
    benchmark: 'glue',
    title: 'GLUE STS-B',
    kind: 'regression',
    isPair: true,
    labels: [],
    primaryMetric: 'spearman',
    metrics: ['spearman', 'pearson'],
    defaults: GLUE,
    officialFiles: { train: ['glue/stsb/train.tsv'], dev: ['glue/stsb/dev.tsv'] },
    hub: { repo: 'nyu-mll/glue', config: 'stsb', trainSplit: 'train', devSplit: 'validation' },
  },
  'glue-sst2': {
    name: 'glue-sst2',
    benchmark: 'glue',
    title: 'GLUE SST-2',
    kind: 'classification',
    isPair: false,
    labels: ['0', '1'],
    primaryMetric: 'accuracy',
    metrics: ['accuracy'],
    defaults: GLUE,
    officialFiles: { train: ['glue/sst2/train.tsv'], dev: ['glue/sst2/dev.tsv'] },
    hub: { repo: 'nyu-mll/glue', config: 'sst2', trainSplit: 'train', devSplit: 'validation' },
  },
  'glue-qnli': {
    name: 'glue-qnli',
    benchmark: 'glue',
    title: 'GLUE QNLI',
    kind: 'classification',
    isPair: true,
    labels: ['entailment', 'not_entailment'],
    primaryMetric: 'accuracy',
    metrics: ['accuracy'],
    defaults: GLUE,
    officialFiles: { train: ['glue/qnli/train.tsv'], dev: ['glue/qnli/dev.tsv'] },
    hub: { repo: 'nyu-mll/glue', config: 'qnli', trainSplit: 'train', devSplit: 'validation' },
  },
};

/** The spec of a task; an unknown name is an error listing the known ones. */
export function getTask(name: string): TaskSpec {
  const spec = (TASKS as Record<string, TaskSpec | undefined>)[name];
  if (!spec) {
    throw new KoenbertError({ code: 'UNKNOWN_TASK', message: `unknown task "${name}" (known: ${TASK_NAMES.join(', ')})` });
  }
  return spec;
}

/** All eight tasks in report order (KLUE first, then GLUE). */
export function listTasks(): TaskSpec[] {
  return TASK_NAMES.map((name) => TASKS[name]);
}

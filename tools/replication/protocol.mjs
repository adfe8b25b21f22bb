// The replication's protocol (issue 14): which models, tasks and instruments, with the settings every model shares.
// Nothing here is tuned on dev: one set of hyperparameters for all models, chosen before any model was scored.
import path from 'node:path';

/** Rows of the tables, in order. `majority` is read from the fine-tuning results (the majority class of their training data). */
export const MODELS = ['majority', 'random-init', 'teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small', 'english-only', 'teacher-en-minilm', 'koenbert-minilm'];
export const TRAINED_MODELS = MODELS.filter((m) => m !== 'majority');
/** Cheapest first: the controls need no teacher, the students need the distillation runs. */
export const MODEL_ORDER = ['random-init', 'teacher-en-minilm', 'teacher-ko', 'teacher-en', 'merged-init', 'koenbert-small', 'english-only', 'koenbert-minilm'];
/**
 * A real pretrained English teacher beside the self-trained one (issue 20): sentence-transformers/all-MiniLM-L6-v2
 * (H 384, L 6, bert-base-uncased vocab; `node tools/teachers/fetch-minilm-teacher.mjs`). koenbert-minilm is the same
 * recipe with it as the English teacher (student init: ridge from its input embeddings; relations need no MLM head).
 */
export const MINILM = { teacher: 'teacher-en-minilm', init: 'merged-init-minilm', student: 'koenbert-minilm' };

/**
 * The teachers' (and so the students') architecture and MLM pretraining, `tools/build-teachers.mjs` defaults. Small
 * enough that the whole grid fits a few days of two cores; every row of the tables shares it.
 */
export const TEACHER_ARCH = { hidden: 128, layers: 4, heads: 4, intermediate: 512 };

/** Distillation runs (koenbert-small: both teachers, 1:1; english-only: the same run without Korean steps). */
export const DISTILL = { steps: 2000, batchSize: 16, maxLength: 128, lr: 5e-4, warmupRatio: 0.05, checkpointEvery: 100 };

export const KLUE_TASKS = ['klue-ynat', 'klue-sts', 'klue-nli', 'klue-ner'];
export const GLUE_TASKS = ['glue-mrpc', 'glue-stsb', 'glue-sst2', 'glue-qnli'];
export const TASKS = [...KLUE_TASKS, ...GLUE_TASKS, 'korsts-zero-shot'];
export const INSTRUMENTS = ['finetune', 'probe'];
export const SEEDS = 3;
export const FIRST_SEED = 42;

/** Train subsets (seeded, written once, the same file for every model) where a full train split costs too much. */
export const TRAIN_SUBSETS = {
  'glue-sst2': { file: 'glue/sst2/train.tsv', limit: 8000 },
  'klue-nli': { file: 'klue/nli/klue-nli-v1.1_train.json', limit: 8000 },
};

/**
 * Per task: train → dev where a local train split exists; otherwise k-fold over the full dev set (the epoch is then
 * chosen on a validation part of the training folds, never on the scored fold). Epochs are set so every run makes
 * ~450–750 optimizer steps of batch 32: the random-init SST-2 control of FACTS.md learns in 500.
 */
export const FINETUNE_TASKS = {
  'klue-ynat': { task: 'klue-ynat', cv: 3, epochs: 3 },
  'klue-sts': { task: 'klue-sts', epochs: 2 },
  'klue-nli': { task: 'klue-nli', epochs: 2 },
  'klue-ner': { task: 'klue-ner', cv: 3, epochs: 5 },
  'glue-mrpc': { task: 'glue-mrpc', epochs: 4 },
  'glue-stsb': { task: 'glue-stsb', epochs: 3 },
  'glue-sst2': { task: 'glue-sst2', epochs: 2 },
  'glue-qnli': { task: 'glue-qnli', cv: 3, epochs: 5 },
  // fine-tuned on English STS-B train, scored on the row-aligned Korean translation of its dev set
  // (trained with the English tokenizer file, scored with the Korean one: each language segmented as in distillation)
  'korsts-zero-shot': { task: 'glue-stsb', epochs: 3, devFile: 'kor-nlu/korsts-dev.tsv', devTokenizer: 'ko' },
};

/** Shared fine-tuning hyperparameters (small models from scratch or from small teachers learn at a larger lr than BERT-base). */
export const FINETUNE_OPTIONS = { lr: 5e-4, batchSize: 32, maxLength: 128, warmupRatio: 0.1, weightDecay: 0.01, checkpoint: 'best' };
/** Models whose 32 × 128 step does not fit the 4 GiB wasm heap run it in micro-batches (the same optimizer steps). */
export const MICRO_BATCH = { 'teacher-en-minilm': 8 };

/** Probes: frozen mean-pooled last layer (per token for NER), ridge read-out; same splits as fine-tuning. */
export const PROBE_OPTIONS = { pooling: 'mean', maxLength: 128 };

/** Held-out text for the relation loss: the parallel corpora's dev sentences, seen by neither the teachers nor distillation. */
export const RELATION_TEXT = {
  en: ['text/parallel/jhe-koen-dev.en', 'text/parallel/korean-english-park.dev.en'],
  ko: ['text/parallel/jhe-koen-dev.ko', 'text/parallel/korean-english-park.dev.ko'],
};
export const RELATION_MODELS = ['merged-init', 'koenbert-small', 'english-only', 'koenbert-minilm'];

export function benchmarkOf(task) {
  return KLUE_TASKS.includes(task) ? 'klue' : GLUE_TASKS.includes(task) ? 'glue' : 'zero-shot';
}

/** The folders of one replication: models and scratch under `runs`, committed results under `out`. */
export function layout({ runs, out }) {
  const work = path.join(runs, 'replication');
  return {
    teachers: { ko: path.join(runs, 'teachers', 'ko'), en: path.join(runs, 'teachers', 'en') },
    work,
    data: path.join(work, 'data'),
    models: {
      'teacher-ko': path.join(runs, 'teachers', 'ko'),
      'teacher-en': path.join(runs, 'teachers', 'en'),
      'merged-tokenizer': path.join(work, 'merged-tokenizer'),
      'merged-init': path.join(work, 'merged-init'),
      'random-init': path.join(work, 'random-init'),
      'koenbert-small': path.join(work, 'koenbert-small'),
      'english-only': path.join(work, 'english-only'),
      'teacher-en-minilm': path.join(runs, 'teachers', 'en-minilm'),
      'merged-init-minilm': path.join(work, 'merged-init-minilm'),
      'koenbert-minilm': path.join(work, 'koenbert-minilm'),
    },
    scratch: path.join(work, 'eval'),
    out,
    cells: path.join(out, 'cells'),
  };
}

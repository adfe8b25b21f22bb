import { z } from 'zod';
import { HubConfigSchema, parseWithSchema } from '@koenbert/tensor-utils';
import { getTask, TASK_NAMES, type Hyperparameters, type TaskSpec } from './tasks/task-registry';
import { TOKENIZER_CHOICES } from './tokenize/tokenizer-choice';

/**
 * Everything `evaluate` needs for one task; the CLI turns the fields into flags (`--cv 5`, `--limit 200`, …).
 * Hyperparameters left unset take the task's defaults (KLUE and GLUE differ: see the task registry).
 */
export const EvalConfigSchema = z.strictObject({
  model: z.string().min(1).describe('BERT model: HF folder (config.json, model.safetensors or pytorch_model.bin, tokenizer.json or vocab.txt) or Hub id'),
  modelName: z.string().min(1).optional().describe('row label in reports (default: the folder name or Hub id)'),
  task: z.enum(TASK_NAMES).describe(`task to fine-tune and score: ${TASK_NAMES.join(', ')}`),
  source: z.enum(['official', 'hub']).default('official').describe('data: official files under dataDir, or the Hugging Face datasets version (klue/klue, nyu-mll/glue)'),
  dataDir: z.string().min(1).optional().describe('folder laid out like shared/data (klue/ynat/ynat-v1.1_dev.json, glue/sst2/dev.tsv, …)'),
  trainFile: z.string().min(1).optional().describe('train file in the official format (instead of looking in dataDir)'),
  devFile: z.string().min(1).optional().describe('dev file in the official format (instead of looking in dataDir)'),
  hubDataset: z.string().min(1).optional().describe('dataset repo id or local folder for source=hub (default: klue/klue or nyu-mll/glue)'),
  cv: z.number().int().min(2).optional().describe('k: fine-tune on k-1 folds of the dev set and score the held-out fold, for every fold (no train split needed)'),
  limit: z.number().int().positive().optional().describe('use at most this many examples of each split (seeded random subsample)'),
  lr: z.number().positive().optional().describe('peak learning rate (default: KLUE 5e-5, GLUE 1e-5)'),
  epochs: z.number().int().positive().optional().describe('training epochs (default: per task)'),
  batchSize: z.number().int().positive().optional().describe('training batch size (default: 32; KLUE NER 8)'),
  microBatchSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('examples per forward/backward pass: each batch runs in micro-batches whose gradients are summed, the same step with less memory (default: the whole batch)'),
  maxLength: z.number().int().min(8).max(512).optional().describe('tokens per example after truncation (default: 128; KLUE NER 510)'),
  warmupRatio: z.number().min(0).max(1).optional().describe('fraction of steps with linear warm-up (default: KLUE 0.1, GLUE 0.05)'),
  weightDecay: z.number().min(0).optional().describe('AdamW weight decay (default: 0.01; KLUE STS 0)'),
  seed: z.number().int().min(0).optional().describe('first seed (default 42)'),
  seeds: z.number().int().min(1).default(1).describe('number of seeds (seed, seed+1, …); reports give mean ± std'),
  checkpoint: z
    .enum(['best', 'last'])
    .default('best')
    .describe('score the epoch that is best on a validation part of the training data (never on the scored dev set or fold), or the last epoch'),
  validationFraction: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.1)
    .describe('checkpoint best: fraction of the training examples (of each cv training part) held out, seeded, to choose the epoch on'),
  tokenizer: z
    .enum(TOKENIZER_CHOICES)
    .default('task')
    .describe("tokenizer file of a koenbert merged folder: task (the task language's tokenizer-ko/en.json), merged (tokenizer.json), ko, en"),
  devTokenizer: z
    .enum(TOKENIZER_CHOICES)
    .optional()
    .describe('train → dev runs: tokenizer file for the dev split only, e.g. ko to score Korean after English training (zero-shot KorSTS); default: tokenizer'),
  tokenTypeIds: z.boolean().default(true).describe('feed token_type_ids for sentence pairs (false: all zeros, as the original evaluation did)'),
  evalBatchSize: z.number().int().positive().default(64).describe('batch size for scoring'),
  maxGradNorm: z.number().positive().default(1).describe('clip gradients to this global norm'),
  outputDir: z.string().min(1).optional().describe('write <outputDir>/<model>/<task>.json and every prediction to <task>.predictions.jsonl beside it'),
  revision: HubConfigSchema.shape.revision.describe('Hub revision (model and dataset)'),
  // unset is false, not HF_HUB_OFFLINE: `koenbert run` records the resolved value in every eval unit's inputs
  offline: z.boolean().default(false).describe('use only the local Hub cache'),
  ...HubConfigSchema.pick({ cacheDir: true, hubUrl: true }).shape,
});

export type EvalConfig = z.infer<typeof EvalConfigSchema>;
export type EvalConfigInput = z.input<typeof EvalConfigSchema>;

/** Validates a config (defaults filled in); an error names the field and, when given, the file it came from. */
export function parseEvalConfig(input: unknown, file?: string): EvalConfig {
  return parseWithSchema(EvalConfigSchema, input, file);
}

/** The task's defaults overridden by whatever the config sets. */
export function resolveHyperparameters(config: Pick<EvalConfig, keyof Hyperparameters>, task: TaskSpec = getTask((config as EvalConfig).task)): Hyperparameters {
  const defaults = task.defaults;
  return {
    lr: config.lr ?? defaults.lr,
    epochs: config.epochs ?? defaults.epochs,
    batchSize: config.batchSize ?? defaults.batchSize,
    maxLength: config.maxLength ?? defaults.maxLength,
    warmupRatio: config.warmupRatio ?? defaults.warmupRatio,
    weightDecay: config.weightDecay ?? defaults.weightDecay,
    seed: config.seed ?? defaults.seed,
  };
}

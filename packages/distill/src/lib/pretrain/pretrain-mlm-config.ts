import { z } from 'zod';
import { KoenbertError, parseWithSchema, resolveConfig } from '@koenbert/tensor-utils';
import { checkpointSection, hubSection, maxLineBytesField, positiveInt } from '../config-sections';

const probability = () => z.number().min(0).max(1);

/**
 * Config of `pretrainMlmIter`: a BERT trained from scratch with masked-language modelling on a text corpus, from a
 * WordPiece tokenizer. Sections are plain objects so the CLI can turn the dotted keys into flags.
 */
export const PretrainMlmConfigSchema = z.strictObject({
  tokenizer: z.string().min(1).describe('WordPiece tokenizer: HF folder (vocab.txt / tokenizer.json) or Hub id; its vocab size is the model’s'),
  output: z.string().min(1).describe('run folder: the trained HF BertForMaskedLM + tokenizer files, checkpoints/, log, report'),
  resume: z.boolean().default(false).describe('continue from the latest checkpoint in output/checkpoints'),
  overwrite: z.boolean().default(false).describe('start over even if the output folder already has checkpoints'),
  seed: z.number().int().min(0).default(42).describe('seed of initialisation, data order, masking and dropout'),
  steps: positiveInt().default(10_000).describe('optimizer steps'),
  model: z.strictObject({
    hiddenSize: positiveInt().default(128).describe('hidden size H'),
    numLayers: positiveInt().default(2).describe('transformer layers L'),
    numHeads: positiveInt().default(2).describe('attention heads (must divide hiddenSize)'),
    intermediateSize: positiveInt().optional().describe('feed-forward size (default 4·H)'),
    dropout: probability().default(0.1).describe('hidden and attention dropout while training'),
  }).prefault({}),
  data: z.strictObject({
    files: z.array(z.string().min(1)).min(1).describe('text: .txt/.jsonl/.tsv (.gz) files or folders, or hf:<dataset>[/<folder>][#column] parquet'),
    maxLength: z.number().int().min(8).max(512).default(128).describe('tokens per packed sequence, [CLS] and [SEP] included'),
    shuffleBuffer: positiveInt().default(10_000).describe('lines held for shuffling'),
    maxLineBytes: maxLineBytesField(),
    heldOutFraction: z.number().gt(0).lt(1).default(0.01).describe('share of lines kept out of training for perplexity (chosen by a hash of the line)'),
  }),
  masking: z.strictObject({
    probability: z.number().gt(0).lt(1).default(0.15).describe('share of non-special tokens selected for prediction'),
    maskRatio: probability().default(0.8).describe('selected tokens replaced by [MASK]'),
    randomRatio: probability().default(0.1).describe('selected tokens replaced by a random token (the rest stay unchanged)'),
  }).prefault({}),
  optim: z.strictObject({
    lr: z.number().positive().default(5e-4).describe('peak learning rate (AdamW)'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW β1'),
    beta2: z.number().min(0).lt(1).default(0.98).describe('AdamW β2'),
    epsilon: z.number().positive().default(1e-6).describe('AdamW ε'),
    weightDecay: z.number().min(0).default(0.01).describe('decoupled weight decay (not on bias and LayerNorm)'),
    warmupRatio: z.number().min(0).max(1).default(0.06).describe('share of steps with linear warmup (then linear decay to 0)'),
    warmupSteps: z.number().int().min(0).optional().describe('warmup steps (overrides optim.warmupRatio)'),
    maxGradNorm: z.number().min(0).default(1).describe('clip the global gradient norm to this (0 = no clipping)'),
    batchSize: positiveInt().default(16).describe('sequences per step'),
  }).prefault({}),
  eval: z.strictObject({
    every: positiveInt().default(500).describe('held-out perplexity every N steps (and at the end)'),
    maxLines: positiveInt().default(256).describe('held-out lines evaluated (one sequence each, same masks every time)'),
    batchSize: positiveInt().default(16).describe('sequences per evaluation batch'),
  }).prefault({}),
  checkpoint: checkpointSection(500),
  hub: hubSection(),
});

export type PretrainMlmConfig = z.output<typeof PretrainMlmConfigSchema>;
export type PretrainMlmConfigInput = z.input<typeof PretrainMlmConfigSchema>;

function checkConsistency(config: PretrainMlmConfig, file?: string): PretrainMlmConfig {
  const fail = (field: string, message: string): never => {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `${field}: ${message}` });
  };
  if (config.model.hiddenSize % config.model.numHeads !== 0) fail('model.numHeads', `${config.model.numHeads} does not divide model.hiddenSize ${config.model.hiddenSize}`);
  if (config.masking.maskRatio + config.masking.randomRatio > 1) fail('masking.randomRatio', 'masking.maskRatio + masking.randomRatio must be ≤ 1');
  if (config.optim.warmupSteps !== undefined && config.optim.warmupSteps > config.steps) fail('optim.warmupSteps', `must be ≤ steps (${config.steps})`);
  return config;
}

/** Validates a config object (defaults filled in); an error names the field and, when given, the file. */
export function parsePretrainMlmConfig(input: unknown, file?: string): PretrainMlmConfig {
  return checkConsistency(parseWithSchema(PretrainMlmConfigSchema, input, file), file);
}

/** Defaults < config file (.json/.yaml) < overrides (CLI flags, dotted keys such as `{ 'model.hiddenSize': 256 }`). */
export async function resolvePretrainMlmConfig(params: { file?: string; overrides?: Record<string, unknown> } = {}): Promise<PretrainMlmConfig> {
  const config = await resolveConfig({ schema: PretrainMlmConfigSchema, file: params.file, overrides: params.overrides });
  return checkConsistency(config, params.file);
}

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KoenbertError, writeFileAtomic } from '@koenbert/tensor-utils';

export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'relu'] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];

/**
 * A Hugging Face BERT `config.json`. The named fields are the ones the model uses (with transformers' defaults);
 * every other key (architectures, id2label, label2id, problem_type, model_type, transformers_version, …) is kept
 * as read and written back unchanged.
 */
export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: HiddenAct;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  pad_token_id: number;
  /** Dropout before the sequence-classification head; null/absent → hidden_dropout_prob (as transformers). */
  classifier_dropout?: number | null;
  [extra: string]: unknown;
}

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).lt(1);

/** transformers.BertConfig's defaults (bert-base-uncased's sizes). */
const bertConfigSchema = z
  .looseObject({
    vocab_size: positiveInt.default(30522),
    hidden_size: positiveInt.default(768),
    num_hidden_layers: positiveInt.default(12),
    num_attention_heads: positiveInt.default(12),
    intermediate_size: positiveInt.default(3072),
    hidden_act: z.enum(HIDDEN_ACTS).default('gelu'),
    hidden_dropout_prob: probability.default(0.1),
    attention_probs_dropout_prob: probability.default(0.1),
    max_position_embeddings: positiveInt.default(512),
    type_vocab_size: positiveInt.default(2),
    initializer_range: z.number().positive().default(0.02),
    layer_norm_eps: z.number().positive().default(1e-12),
    pad_token_id: z.number().int().min(0).default(0),
    classifier_dropout: probability.nullable().optional(),
    model_type: z.literal('bert').optional(),
    position_embedding_type: z.literal('absolute').optional(),
    is_decoder: z.literal(false).optional(),
    add_cross_attention: z.literal(false).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.hidden_size % config.num_attention_heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['hidden_size'],
        message: `${config.hidden_size} is not divisible by num_attention_heads (${config.num_attention_heads})`,
      });
    }
    if (config.pad_token_id >= config.vocab_size) {
      ctx.addIssue({ code: 'custom', path: ['pad_token_id'], message: `${config.pad_token_id} is not below vocab_size (${config.vocab_size})` });
    }
  });

/**
 * Validates a parsed config.json and fills transformers' defaults. Unknown keys are preserved.
 * Errors are one-line KoenbertErrors (code CONFIG_INVALID) naming `file` and the field.
 */
export function parseBertConfig(json: unknown, file?: string): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: 'a BERT config must be a JSON object' });
  }
  const result = bertConfigSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.') || '(root)';
    const value = (json as Record<string, unknown>)[String(issue.path[0])];
    const shown = issue.code === 'custom' ? '' : ` (got ${JSON.stringify(value)})`;
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `field ${field}: ${issue.message}${shown}`, cause: result.error });
  }
  return result.data as BertConfig;
}

/** Reads and validates `<dir>/config.json`. */
export async function readBertConfig(dir: string): Promise<BertConfig> {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new KoenbertError({ code: 'FILE_NOT_FOUND', file, message: 'cannot read the model config', cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `not valid JSON (${(error as Error).message})`, cause: error });
  }
  return parseBertConfig(json, file);
}

/** Validates and writes `<dir>/config.json` atomically (defaults filled in), keys sorted and indented as transformers writes them. */
export async function writeBertConfig(dir: string, config: BertConfig): Promise<void> {
  const file = path.join(dir, 'config.json');
  const withType: Record<string, unknown> = { ...parseBertConfig(config, file), model_type: 'bert' };
  const sorted = Object.fromEntries(Object.keys(withType).sort().map((key) => [key, withType[key]]));
  await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

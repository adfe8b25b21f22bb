import { z } from 'zod';
import { KoenbertError, parseWithSchema, resolveConfig } from '@koenbert/tensor-utils';
import { checkpointSection, hubSection, maxLineBytesField, positiveInt } from './config-sections';
import { parseMixSchedule } from './data/language-mixer';

export const DISTILL_PRESETS = ['default', 'seed'] as const;
export type DistillPreset = (typeof DISTILL_PRESETS)[number];

/** The values a preset changes; everything else has one default for all presets. */
interface PresetDefaults {
  steps: number;
  relationHeads: number;
  maxLength: number;
  lr: number;
  beta1: number;
  beta2: number;
  weightDecay: number;
  warmupRatio: number;
  maxGradNorm: number;
  batchSize: number;
  mix: string;
}

/**
 * `default`: this project's defaults (48 relation heads as in the MiniLMv2 paper, sequences of 128).
 * `seed`: the hyperparameters of the original Python project — AdamW lr 5e-5, betas (0.9, 0.98), weight decay
 * 0.01 (none on bias and LayerNorm), linear schedule with 1 % warmup, clipping 1.0, packed sequences of 256,
 * batch 16, 100k steps, language drawn with probability 0.5, loss weights 1, 24 relation heads.
 */
export const PRESET_DEFAULTS: Record<DistillPreset, PresetDefaults> = {
  default: { steps: 100_000, relationHeads: 48, maxLength: 128, lr: 5e-5, beta1: 0.9, beta2: 0.98, weightDecay: 0.01, warmupRatio: 0.01, maxGradNorm: 1, batchSize: 16, mix: '1:1' },
  seed: { steps: 100_000, relationHeads: 24, maxLength: 256, lr: 5e-5, beta1: 0.9, beta2: 0.98, weightDecay: 0.01, warmupRatio: 0.01, maxGradNorm: 1, batchSize: 16, mix: '1:1' },
};

const MIX_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$/;

/** `en:ko` ratio ('1:1', '3:1') → probability of an English step. */
export function mixProbability(mix: string): number {
  const match = MIX_PATTERN.exec(mix);
  const en = match ? Number(match[1]) : NaN;
  const ko = match ? Number(match[2]) : NaN;
  if (!match || !(en + ko > 0)) throw new KoenbertError({ code: 'CONFIG_INVALID', message: `data.mix: expected <en>:<ko> such as 1:1, got "${mix}"` });
  return en / (en + ko);
}

const layerNumber = () => z.number().int().positive().optional();

const teacherSchema = (model: string, language: string) =>
  z.strictObject({
    model: z.string().min(1).default(model).describe(`${language} teacher: HF BERT folder or Hub id (inference only)`),
    tokenizer: z.string().min(1).optional().describe(`${language} teacher tokenizer folder or Hub id (default: the model's)`),
    layer: layerNumber().describe(
      `${language} teacher layer whose Q/K/V are distilled, 1 = first (default: last for ≤ 12 layers, else round(5/6·L), e.g. 20 of 24)`,
    ),
  });

/** The distill config schema with a preset's defaults (the CLI turns its dotted keys into flags). */
export function distillConfigSchema(preset: DistillPreset = 'default') {
  const d = PRESET_DEFAULTS[preset];
  return z.strictObject({
    preset: z.enum(DISTILL_PRESETS).default(preset).describe('hyperparameter preset: default, or seed (the original project’s)'),
    student: z
      .string()
      .min(1)
      .describe('merged-vocab student: HF BERT folder (embed-init output) or Hub id, with the merged tokenizer and merge-map.json'),
    output: z.string().min(1).describe('run folder: the distilled model (HF BertForMaskedLM + merged tokenizer), checkpoints/, log, loss curve'),
    resume: z.boolean().default(false).describe('continue from the latest checkpoint in output/checkpoints'),
    overwrite: z.boolean().default(false).describe('start over even if the output folder already has checkpoints'),
    seed: z.number().int().min(0).default(42).describe('seed of data order, language draws and dropout'),
    steps: positiveInt().default(d.steps).describe('optimizer steps'),
    teachers: z.strictObject({
      en: teacherSchema('bert-base-uncased', 'English').prefault({}),
      ko: teacherSchema('klue/bert-base', 'Korean').prefault({}),
    }).prefault({}),
    studentLayer: layerNumber().describe('student layer whose Q/K/V are trained, 1 = first (default: last)'),
    loss: z.strictObject({
      relationHeads: positiveInt().default(d.relationHeads).describe('relation heads R (hidden sizes of teacher and student must be multiples); paper: 48, original project: 24'),
      qq: z.number().min(0).default(1).describe('weight of the Q-Q relation loss'),
      kk: z.number().min(0).default(1).describe('weight of the K-K relation loss'),
      vv: z.number().min(0).default(1).describe('weight of the V-V relation loss'),
      temperature: z.number().positive().default(1).describe('softmax temperature of the relations (teacher and student)'),
      en: z.number().min(0).default(1).describe('loss weight of English steps'),
      ko: z.number().min(0).default(1).describe('loss weight of Korean steps'),
    }).prefault({}),
    data: z.strictObject({
      en: z.array(z.string().min(1)).default([]).describe('English text: .txt/.jsonl/.tsv (.gz) files or folders, or hf:<dataset>[/<folder>][#column] parquet'),
      ko: z.array(z.string().min(1)).default([]).describe('Korean text, same forms as data.en'),
      mixed: z.array(z.string().min(1)).default([]).describe('text in both languages, split line by line (Hangul vs Latin letters)'),
      mix: z
        .string()
        .regex(MIX_PATTERN, 'expected <en>:<ko> such as 1:1')
        .default(d.mix)
        .describe('English:Korean ratio of steps (each step is one language)'),
      mixSchedule: z
        .string()
        .optional()
        .describe('step:English-probability points, linear in between (e.g. 0:0.8,50000:0.5); overrides data.mix'),
      maxLength: z.number().int().min(8).max(512).default(d.maxLength).describe('tokens per sequence, [CLS] and [SEP] included'),
      packing: z.boolean().default(true).describe('pack lines into full sequences, [SEP] between documents (else one line per sequence)'),
      shuffleBuffer: positiveInt().default(10_000).describe('lines held for shuffling, per language'),
      maxLineBytes: maxLineBytesField(),
    }).prefault({}),
    optim: z.strictObject({
      lr: z.number().positive().default(d.lr).describe('peak learning rate (AdamW)'),
      beta1: z.number().min(0).lt(1).default(d.beta1).describe('AdamW β1'),
      beta2: z.number().min(0).lt(1).default(d.beta2).describe('AdamW β2'),
      epsilon: z.number().positive().default(1e-6).describe('AdamW ε'),
      weightDecay: z.number().min(0).default(d.weightDecay).describe('decoupled weight decay (not on bias and LayerNorm)'),
      warmupRatio: z.number().min(0).max(1).default(d.warmupRatio).describe('share of steps with linear warmup (then linear decay to 0)'),
      warmupSteps: z.number().int().min(0).optional().describe('warmup steps (overrides optim.warmupRatio)'),
      maxGradNorm: z.number().min(0).default(d.maxGradNorm).describe('clip the global gradient norm to this (0 = no clipping)'),
      batchSize: positiveInt().default(d.batchSize).describe('sequences per micro-batch'),
      gradAccumulation: positiveInt().default(1).describe('micro-batches per optimizer step'),
      freezeOldEmbeddings: z
        .boolean()
        .default(false)
        .describe('keep the Korean (old) rows of the word embeddings fixed; only the added English rows and the encoder train'),
      studentDropout: z.boolean().default(true).describe('dropout in the student while training (teachers never use it)'),
    }).prefault({}),
    checkpoint: checkpointSection(1000),
    hub: hubSection(),
  });
}

export const DistillConfigSchema = distillConfigSchema('default');
export type DistillConfig = z.output<typeof DistillConfigSchema>;
export type DistillConfigInput = z.input<typeof DistillConfigSchema>;

function checkConsistency(config: DistillConfig, file?: string): DistillConfig {
  const fail = (field: string, message: string): never => {
    throw new KoenbertError({ code: 'CONFIG_INVALID', file, message: `${field}: ${message}` });
  };
  if (config.data.en.length + config.data.ko.length + config.data.mixed.length === 0) fail('data', 'give text in data.en, data.ko or data.mixed');
  if (config.data.mixSchedule !== undefined) {
    try {
      parseMixSchedule(config.data.mixSchedule);
    } catch (error) {
      fail('data.mixSchedule', (error as Error).message);
    }
  }
  if (config.optim.warmupSteps !== undefined && config.optim.warmupSteps > config.steps) {
    fail('optim.warmupSteps', `must be ≤ steps (${config.steps})`);
  }
  return config;
}

/**
 * Validates a config object (defaults of its `preset` filled in); an error names the field and, when given, the
 * file it came from.
 */
export function parseDistillConfig(input: unknown, file?: string): DistillConfig {
  const preset = (input as { preset?: unknown } | null)?.preset;
  const schema = distillConfigSchema(DISTILL_PRESETS.includes(preset as DistillPreset) ? (preset as DistillPreset) : 'default');
  return checkConsistency(parseWithSchema(schema, input, file), file);
}

/**
 * The distill config from schema defaults < preset < config file (.json/.yaml) < overrides (CLI flags, dotted keys
 * such as `{ 'optim.lr': 1e-4 }`). The preset comes from the overrides, else the file, else `default`.
 */
export async function resolveDistillConfig(params: { file?: string; overrides?: Record<string, unknown> } = {}): Promise<DistillConfig> {
  const { preset } = await resolveConfig({
    schema: z.looseObject({ preset: z.enum(DISTILL_PRESETS).default('default') }),
    file: params.file,
    overrides: params.overrides,
  });
  const config = await resolveConfig({ schema: distillConfigSchema(preset), file: params.file, overrides: params.overrides });
  return checkConsistency(config, params.file);
}

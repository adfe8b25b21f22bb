import { readBertConfig, trainingStepNeed, type BertSizes } from '@koenbert/bert';
import { distillStepPlan, pretrainStepPlan, type DistillConfig, type PretrainMlmConfig } from '@koenbert/distill';
import { finetuneStepPlan, getTask, resolveHyperparameters, type EvalConfig } from '@koenbert/eval-klue-glue';
import {
  checkStepMemory,
  explainOutOfMemory,
  isKoenbertError,
  memoryLimits,
  probeWebGpu,
  resolveModelDir,
  stepTooLargeError,
  type BackendChoice,
  type HubOptions,
  type MemoryLimits,
  type PlannedStep,
  type StepMemoryCheck,
  type StepSize,
} from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer } from '@koenbert/tokenizer-merge';
import type { CliIo } from '../io';

/** How a setting is named in messages: a stage command's flag (default) or a key of `koenbert run`'s config file. */
export type SettingName = (key: string) => string;
export const flagName: SettingName = (key) => `--${key}`;

/** A training step a command is about to run (the stages plan it: distillStepPlan, pretrainStepPlan, finetuneStepPlan). */
export type { PlannedStep };

export async function sizesOf(model: string, hub: HubOptions): Promise<BertSizes> {
  const dir = await resolveModelDir({ repoOrPath: model, files: ['config.json'], ...hub });
  return readBertConfig(dir);
}

/**
 * The distill step: the student (trained, merged vocab) and the teachers of the languages with text (config.json only);
 * `studentIfMissing` stands in for a student folder not made yet (koenbert run, before init-embeddings).
 */
export async function plannedDistillStep(config: DistillConfig, name: SettingName = flagName, studentIfMissing?: BertSizes): Promise<PlannedStep> {
  const hub: HubOptions = { ...config.hub };
  const student = await sizesOf(config.student, hub).catch((error: unknown) => {
    if (studentIfMissing) return studentIfMissing;
    throw error;
  });
  const languages = (['en', 'ko'] as const).filter((lang) => config.data[lang].length > 0 || config.data.mixed.length > 0);
  const teachers = await Promise.all(languages.map((lang) => sizesOf(config.teachers[lang].model, hub)));
  return distillStepPlan({ config, student, teachers, settingName: name });
}

/** The pretrain-mlm step: a fresh BERT of the configured size with the tokenizer's vocabulary. */
export async function plannedPretrainStep(config: PretrainMlmConfig, name: SettingName = flagName): Promise<PlannedStep> {
  const dir = await resolveModelDir({ repoOrPath: config.tokenizer, files: [], optionalFiles: ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json'], ...config.hub });
  const vocabSize = (await loadWordPieceTokenizer(dir)).size;
  return pretrainStepPlan({ config, vocabSize, settingName: name });
}

/**
 * The eval fine-tuning step, at the task's batch size (in micro-batches of --microBatchSize) and --maxLength (batches
 * are padded to their longest example: the worst case).
 */
export async function plannedEvalStep(config: EvalConfig, name: SettingName = flagName, modelIfMissing?: BertSizes): Promise<PlannedStep> {
  const model = await sizesOf(config.model, { revision: config.revision, offline: config.offline, cacheDir: config.cacheDir, hubUrl: config.hubUrl }).catch((error: unknown) => {
    if (modelIfMissing) return modelIfMissing;
    throw error;
  });
  const hp = resolveHyperparameters(config);
  return finetuneStepPlan({ model, task: getTask(config.task), batchSize: hp.batchSize, maxLength: hp.maxLength, microBatchSize: config.microBatchSize, settingName: name });
}

/** A fine-tuning step of any model folder (what `koenbert info <model>` reports). */
export async function plannedFinetuneStep(model: string, size: StepSize = { batchSize: 32, seqLength: 128, gradAccumulation: 1 }): Promise<PlannedStep> {
  const sizes = await sizesOf(model, {});
  return {
    what: 'fine-tuning',
    size,
    estimate: (s) => trainingStepNeed({ model: sizes, task: 'sequence-classification', numLabels: 2, ...s }),
    options: { batchSize: '--batchSize', seqLength: '--maxLength', microBatchSize: '--microBatchSize' },
  };
}

/**
 * `plan()`, or undefined when the sizes cannot be read (a missing folder, no Hub access, a broken config.json): the
 * stage itself then reports that in its own words, so the check never changes an error a user would have seen.
 */
export async function planStep(plan: () => Promise<PlannedStep>): Promise<PlannedStep | undefined> {
  try {
    return await plan();
  } catch {
    return undefined;
  }
}

/** The limits of the backend initBackend picked (webgpu: the adapter Dawn found). */
export async function limitsOf(choice: BackendChoice): Promise<MemoryLimits> {
  const adapter = choice.name === 'webgpu' ? (await probeWebGpu()).adapter : undefined;
  return memoryLimits({ backend: choice.name, adapter });
}

/**
 * Checks a planned step against the backend before any data is read: refuses (STEP_TOO_LARGE, one line with the
 * numbers and the ways out) when it cannot fit, warns on stderr when it fits the backend but not the machine.
 */
export function refuseOversizedStep(params: { step?: PlannedStep; limits: MemoryLimits; io: CliIo }): StepMemoryCheck | undefined {
  if (!params.step) return undefined;
  const check = checkStepMemory({ ...params.step, limits: params.limits });
  if (!check.fits) throw stepTooLargeError(check);
  if (check.warning) params.io.stderr.write(`warning: ${check.warning}\n`);
  return check;
}

/**
 * Runs a training stage; a heap exhausted anyway ("memory access out of bounds" and its kin) becomes the same one line
 * as the refusal, with the estimate and the ways out, instead of an unexpected error. The stages already say so in
 * their config keys; the line is made again from their cause here, with this command's setting names and limits.
 */
export async function withOutOfMemoryMessage<T>(params: { step?: PlannedStep; limits: MemoryLimits }, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const raw = isKoenbertError(error) && error.code === 'OUT_OF_MEMORY' && error.cause !== undefined ? error.cause : error;
    const explained = explainOutOfMemory({ error: raw, ...params });
    throw explained === raw ? error : explained;
  }
}

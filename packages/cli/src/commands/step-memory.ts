import { estimateTrainingMemory, readBertConfig, type BertSizes, type BertTask, type TrainingMemoryParams } from '@koenbert/bert';
import type { DistillConfig, PretrainMlmConfig } from '@koenbert/distill';
import { getTask, resolveHyperparameters, type EvalConfig } from '@koenbert/eval-klue-glue';
import {
  checkStepMemory,
  isOutOfMemoryError,
  KoenbertError,
  memoryLimits,
  NATIVE_WAY_OUT,
  probeWebGpu,
  resolveModelDir,
  stepTooLargeError,
  type BackendChoice,
  type HubOptions,
  type MemoryLimits,
  type StepMemoryCheck,
  type StepNeed,
  type StepOptions,
  type StepSize,
} from '@koenbert/tensor-utils';
import { loadWordPieceTokenizer } from '@koenbert/tokenizer-merge';
import type { CliIo } from '../io';

/** How a setting is named in messages: a stage command's flag (default) or a key of `koenbert run`'s config file. */
export type SettingName = (key: string) => string;
export const flagName: SettingName = (key) => `--${key}`;

/** A training step a command is about to run, ready for checkStepMemory: its sizes, how to estimate any size, its options. */
export interface PlannedStep {
  what: string;
  size: StepSize;
  estimate: (size: StepSize) => StepNeed;
  options: StepOptions;
}

/** estimateTrainingMemory's answer in the form checkStepMemory reads. */
export function stepNeed(params: TrainingMemoryParams): StepNeed {
  const estimate = estimateTrainingMemory(params);
  const { bytes } = estimate;
  const parts: Array<[string, number]> = [
    ['weights', bytes.weights],
    ['gradients', bytes.gradients],
    ['AdamW moments', bytes.optimizer],
  ];
  if (bytes.teachers > 0) parts.push([`teachers (${(estimate.teacherParams / 1e6).toFixed(0)}M params)`, bytes.teachers]);
  parts.push([`activations of ${params.batchSize} × ${params.seqLength} tokens`, bytes.activations]);
  return { totalBytes: bytes.total, largestTensor: estimate.largestTensor, parts };
}

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
  return {
    what: 'distill',
    size: { batchSize: config.optim.batchSize, seqLength: config.data.maxLength, gradAccumulation: config.optim.gradAccumulation },
    estimate: (size) =>
      stepNeed({ model: student, task: 'base', ...size, dropout: config.optim.studentDropout, teachers, relationHeads: config.loss.relationHeads }),
    options: { batchSize: name('optim.batchSize'), seqLength: name('data.maxLength'), gradAccumulation: name('optim.gradAccumulation') },
  };
}

/** The pretrain-mlm step: a fresh BERT of the configured size with the tokenizer's vocabulary. */
export async function plannedPretrainStep(config: PretrainMlmConfig, name: SettingName = flagName): Promise<PlannedStep> {
  const dir = await resolveModelDir({ repoOrPath: config.tokenizer, files: [], optionalFiles: ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json'], ...config.hub });
  const vocab = (await loadWordPieceTokenizer(dir)).size;
  const m = config.model;
  const model: BertSizes = {
    vocab_size: vocab,
    hidden_size: m.hiddenSize,
    num_hidden_layers: m.numLayers,
    num_attention_heads: m.numHeads,
    intermediate_size: m.intermediateSize ?? 4 * m.hiddenSize,
    max_position_embeddings: Math.max(512, config.data.maxLength),
    type_vocab_size: 2,
  };
  return {
    what: 'pretrain-mlm',
    size: { batchSize: config.optim.batchSize, seqLength: config.data.maxLength, gradAccumulation: 1 },
    estimate: (size) => stepNeed({ model, task: 'masked-lm', ...size, dropout: m.dropout > 0, mlmPositionsShare: config.masking.probability }),
    options: { batchSize: name('optim.batchSize'), seqLength: name('data.maxLength') },
  };
}

/** The BERT head a task fine-tunes (as eval-klue-glue's finetune does) and its output size. */
function headOf(taskName: EvalConfig['task']): { task: BertTask; numLabels: number } {
  const task = getTask(taskName);
  if (task.kind === 'token-classification') return { task: 'token-classification', numLabels: task.labels.length };
  return { task: 'sequence-classification', numLabels: task.kind === 'regression' ? 1 : task.labels.length };
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
  const head = headOf(config.task);
  const micro = Math.min(config.microBatchSize ?? hp.batchSize, hp.batchSize);
  return {
    what: `eval ${config.task}`,
    size: { batchSize: micro, seqLength: hp.maxLength, gradAccumulation: Math.ceil(hp.batchSize / micro) },
    estimate: (size) => stepNeed({ model, ...head, ...size }),
    options: { batchSize: name('batchSize'), seqLength: name('maxLength'), microBatchSize: name('microBatchSize') },
  };
}

/** A fine-tuning step of any model folder (what `koenbert info <model>` reports). */
export async function plannedFinetuneStep(model: string, size: StepSize = { batchSize: 32, seqLength: 128, gradAccumulation: 1 }): Promise<PlannedStep> {
  const sizes = await sizesOf(model, {});
  return {
    what: 'fine-tuning',
    size,
    estimate: (s) => stepNeed({ model: sizes, task: 'sequence-classification', numLabels: 2, ...s }),
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
 * as the refusal, with the estimate and the ways out, instead of an unexpected error.
 */
export async function withOutOfMemoryMessage<T>(params: { step?: PlannedStep; limits: MemoryLimits }, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isOutOfMemoryError(error)) throw error;
    const { step, limits } = params;
    const cause = (error as Error).message.split('\n')[0];
    if (!step) {
      throw new KoenbertError({
        code: 'OUT_OF_MEMORY',
        message: `ran out of memory on ${limits.backend} during training (${cause}${limits.heapName ? `; the cap is ${limits.heapName}` : ''}). Ways out: a smaller micro-batch with gradient accumulation, shorter sequences; or ${NATIVE_WAY_OUT}`,
        cause: error,
      });
    }
    const need = step.estimate(step.size).totalBytes;
    // the step did not fit after all: ask for the ways out below what was tried
    const tighter: MemoryLimits = { ...limits, heapBytes: Math.min(limits.heapBytes ?? Infinity, need * 0.999) };
    const check = checkStepMemory({ ...step, limits: tighter });
    const ways = check.waysOut ?? '';
    throw new KoenbertError({
      code: 'OUT_OF_MEMORY',
      message: `${step.what}: ran out of memory on ${limits.backend} during training (${cause}; the estimate was ${(need / 2 ** 30).toFixed(1)} GiB${limits.heapName ? ` of ${limits.heapName}` : ''}). ${ways}`,
      cause: error,
    });
  }
}

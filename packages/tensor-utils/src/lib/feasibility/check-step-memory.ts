import { KoenbertError } from '../errors';
import { formatBytes, type MemoryLimits } from './memory-limits';

/** The sizes of one optimizer step that a user can change. */
export interface StepSize {
  /** Sequences per micro-batch. */
  batchSize: number;
  /** Tokens per sequence. */
  seqLength: number;
  /** Micro-batches per optimizer step. */
  gradAccumulation: number;
}

/** What a step of that size needs (from an estimate such as @koenbert/bert's estimateTrainingMemory). */
export interface StepNeed {
  totalBytes: number;
  largestTensor: { what: string; bytes: number };
  /** The parts of totalBytes for the message, e.g. [['weights', 5.8e8], …]; the last is the activations. */
  parts: Array<[string, number]>;
}

/** How a user sets each size: a flag (`--optim.batchSize`) or a config key; absent = the command has no such option. */
export interface StepOptions {
  batchSize: string;
  seqLength: string;
  gradAccumulation?: string;
  /**
   * A command that splits its batch itself (eval's `--microBatchSize`): the way out is this option alone, any size,
   * keeping the batch; `size.batchSize` is then the micro-batch and `size.gradAccumulation` the passes per batch.
   */
  microBatchSize?: string;
}

/** A training step a stage is about to run, as checkStepMemory reads it (all but the limits). */
export interface PlannedStep {
  /** Names the stage in messages, e.g. 'distill'. */
  what: string;
  size: StepSize;
  estimate: (size: StepSize) => StepNeed;
  options: StepOptions;
}

export interface StepMemoryCheck {
  fits: boolean;
  need: StepNeed;
  /** One line when the step does not fit (the refusal). */
  message?: string;
  /** Its parts: which cap is exceeded ("more than the wasm heap's 4 GiB"), and "Ways out: …". */
  over?: string;
  waysOut?: string;
  /** One line when it fits the backend but not the machine's memory (tensorflow, cpu: warn only). */
  warning?: string;
}

export const NATIVE_WAY_OUT =
  'install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1), which have no 4 GiB heap (`koenbert info` shows which backend is picked)';

/** Ways out must fit this share of a heap: the estimate is within ~15 % of the measured heap high-water mark. */
export const SUGGESTION_MARGIN = 0.9;

/** Sequence lengths tried when a shorter one is the way out (down to 32 tokens). */
function shorterLengths(length: number): number[] {
  const lengths: number[] = [];
  for (let t = 2 ** Math.floor(Math.log2(length - 1)); t >= 32; t /= 2) lengths.push(t);
  return lengths;
}

/**
 * Says before a run starts whether its training step fits the backend (`limits`), and when it does not, gives one line
 * naming the numbers and the ways out: the largest micro-batch that fits with gradient accumulation keeping the batch
 * (or, without accumulation, a smaller batch), else a shorter sequence length, and always the native backend. A way
 * out must fit 90 % of a heap (SUGGESTION_MARGIN), so that it is not itself on the edge.
 */
export function checkStepMemory(params: {
  /** Names the command in the line, e.g. 'distill'. */
  what: string;
  size: StepSize;
  estimate: (size: StepSize) => StepNeed;
  limits: MemoryLimits;
  options: StepOptions;
}): StepMemoryCheck {
  const { size, estimate, limits, options } = params;
  const fitsLimits = (need: StepNeed) =>
    (limits.heapBytes === undefined || need.totalBytes <= limits.heapBytes) && (limits.tensorBytes === undefined || need.largestTensor.bytes <= limits.tensorBytes);
  const fitsWithMargin = (need: StepNeed) =>
    (limits.heapBytes === undefined || need.totalBytes <= SUGGESTION_MARGIN * limits.heapBytes) && (limits.tensorBytes === undefined || need.largestTensor.bytes <= limits.tensorBytes);
  const need = estimate(size);
  if (fitsLimits(need)) {
    const warning =
      need.totalBytes > limits.systemBytes
        ? `${params.what}: one training step needs about ${formatBytes(need.totalBytes)}, more than this machine's ${formatBytes(limits.systemBytes)} of memory: expect swapping or a crash; lower ${options.batchSize} or ${options.seqLength}`
        : undefined;
    return { fits: true, need, warning };
  }

  const ways: string[] = [];
  const effective = size.batchSize * size.gradAccumulation;
  /** The largest micro-batch below the current one that fits at `seqLength` (keeping the effective batch when it can). */
  const microBatch = (seqLength: number, below: number): { size: StepSize; need: StepNeed } | undefined => {
    for (let b = below; b >= 1; b--) {
      if (options.gradAccumulation && !options.microBatchSize && effective % b !== 0) continue;
      const passes = options.microBatchSize ? Math.ceil(effective / b) : options.gradAccumulation ? effective / b : 1;
      const candidate = { batchSize: b, seqLength, gradAccumulation: passes };
      const candidateNeed = estimate(candidate);
      if (fitsWithMargin(candidateNeed)) return { size: candidate, need: candidateNeed };
    }
    return undefined;
  };
  const describe = (candidate: StepSize, withLength: boolean) => {
    const parts: string[] = [];
    if (withLength) parts.push(`${options.seqLength} ${candidate.seqLength}`);
    if (options.microBatchSize) {
      if (candidate.batchSize !== size.batchSize) parts.push(`${options.microBatchSize} ${candidate.batchSize}`);
      return parts.join(' ');
    }
    if (candidate.batchSize !== size.batchSize) parts.push(`${options.batchSize} ${candidate.batchSize}`);
    if (options.gradAccumulation && candidate.gradAccumulation !== size.gradAccumulation) parts.push(`${options.gradAccumulation} ${candidate.gradAccumulation}`);
    return parts.join(' ');
  };
  const smaller = microBatch(size.seqLength, size.batchSize - 1);
  if (smaller) {
    const same = options.gradAccumulation || options.microBatchSize ? ` (the same ${effective} sequences per step)` : ' (a smaller batch: a different recipe)';
    ways.push(`${describe(smaller.size, false)}${same}, about ${formatBytes(smaller.need.totalBytes)}`);
  } else {
    for (const length of shorterLengths(size.seqLength)) {
      const shorter = microBatch(length, size.batchSize);
      if (shorter) {
        ways.push(`shorter sequences: ${describe(shorter.size, true)}, about ${formatBytes(shorter.need.totalBytes)}`);
        break;
      }
    }
  }
  if (ways.length === 0 && limits.heapBytes !== undefined) {
    const length = Math.min(32, size.seqLength);
    const keeps = Boolean(options.gradAccumulation || options.microBatchSize);
    const least = estimate({ batchSize: 1, seqLength: length, gradAccumulation: keeps ? effective : 1 });
    const cap = limits.heapName ?? formatBytes(limits.heapBytes);
    const verdict = least.totalBytes > limits.heapBytes ? `more than ${cap}` : `too close to ${cap} to train safely`;
    ways.push(`none on ${limits.backend}: even batch 1 × ${length} tokens${keeps && effective > 1 ? ' with accumulation' : ''} needs about ${formatBytes(least.totalBytes)}, ${verdict}`);
  }
  ways.push(limits.backend === 'webgpu' ? NATIVE_WAY_OUT.replace('which have no 4 GiB heap', 'which have no WebGPU buffer limit') : NATIVE_WAY_OUT);

  const parts = need.parts.map(([name, bytes]) => `${name} ${formatBytes(bytes)}`).join(' + ');
  const over =
    limits.heapBytes !== undefined && need.totalBytes > limits.heapBytes
      ? `more than ${limits.heapName ?? formatBytes(limits.heapBytes)}`
      : `its largest tensor (${need.largestTensor.what}, ${formatBytes(need.largestTensor.bytes)}) is over ${limits.tensorName ?? formatBytes(limits.tensorBytes ?? 0)}`;
  const batch = options.microBatchSize && size.gradAccumulation > 1
    ? `batch ${effective} in micro-batches of ${size.batchSize} × ${size.seqLength} tokens`
    : `batch ${size.batchSize} × ${size.seqLength} tokens${size.gradAccumulation > 1 ? ` (× ${size.gradAccumulation} accumulated)` : ''}`;
  const message = `${params.what}: one training step of ${batch} needs about ${formatBytes(need.totalBytes)} on ${limits.backend} (${parts}), ${over}. Ways out: ${ways.join('; or ')}`;
  const waysOut = `Ways out: ${ways.join('; or ')}`;
  return { fits: false, need, message, over, waysOut };
}

/** The refusal as the error the CLI prints (exit 1). */
export function stepTooLargeError(check: StepMemoryCheck): KoenbertError {
  return new KoenbertError({ code: 'STEP_TOO_LARGE', message: check.message ?? 'the training step does not fit' });
}

/**
 * True for the errors tfjs-backend-wasm throws when its heap is exhausted ("memory access out of bounds", a failed
 * grow, an abort on a failed allocation), so a training loop can turn them into the same one line as the refusal.
 */
export function isOutOfMemoryError(error: unknown): boolean {
  // a KoenbertError is already the one line (OUT_OF_MEMORY's own message says "ran out of memory")
  if (!(error instanceof Error) || error instanceof KoenbertError) return false;
  return /memory access out of bounds|out of memory|\boom\b|cannot enlarge memory|array buffer allocation failed|allocation failed/i.test(error.message);
}

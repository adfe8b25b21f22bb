import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend/init-backend';
import { KoenbertError } from '../errors';
import { checkStepMemory, isOutOfMemoryError, NATIVE_WAY_OUT, type PlannedStep } from './check-step-memory';
import { memoryLimits, type MemoryLimits } from './memory-limits';

/**
 * The error to throw for `error` caught in a training run: `error` itself unless it is a heap exhausted anyway
 * ("memory access out of bounds" and its kin, see isOutOfMemoryError), which becomes OUT_OF_MEMORY — the same one
 * line as checkStepMemory's refusal, with the estimate of `step` and the ways out below it (generic ways out when the
 * step is not known yet). `limits` default to those of the current tfjs backend; the original error is the `cause`.
 */
export function explainOutOfMemory(params: { error: unknown; step?: PlannedStep; limits?: MemoryLimits }): unknown {
  const { error, step } = params;
  if (!isOutOfMemoryError(error)) return error;
  const limits = params.limits ?? memoryLimits({ backend: tf.getBackend() as BackendName });
  const cause = (error as Error).message.split('\n')[0];
  if (!step) {
    return new KoenbertError({
      code: 'OUT_OF_MEMORY',
      message: `ran out of memory on ${limits.backend} during training (${cause}${limits.heapName ? `; the cap is ${limits.heapName}` : ''}). Ways out: a smaller micro-batch with gradient accumulation, shorter sequences; or ${NATIVE_WAY_OUT}`,
      cause: error,
    });
  }
  const need = step.estimate(step.size).totalBytes;
  // the step did not fit after all: ask for the ways out below what was tried
  const tighter: MemoryLimits = { ...limits, heapBytes: Math.min(limits.heapBytes ?? Infinity, need * 0.999) };
  const ways = checkStepMemory({ ...step, limits: tighter }).waysOut ?? '';
  return new KoenbertError({
    code: 'OUT_OF_MEMORY',
    message: `${step.what}: ran out of memory on ${limits.backend} during training (${cause}; the estimate was ${(need / 2 ** 30).toFixed(1)} GiB${limits.heapName ? ` of ${limits.heapName}` : ''}). ${ways}`,
    cause: error,
  });
}

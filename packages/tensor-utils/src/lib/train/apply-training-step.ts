import * as tf from '@tensorflow/tfjs';
import type { AdamW } from '../adamw';
import { clipByGlobalNorm, globalNorm } from '../clip-by-global-norm';
import { KoenbertError } from '../errors';
import { linearWarmupDecay } from '../lr-schedule';

export interface TrainingStepParams {
  /** The trained parameters, updated in place. */
  params: Map<string, tf.Variable>;
  /** This step's gradients: taken over, they are disposed whatever happens. */
  grads: Map<string, tf.Tensor>;
  /** This step's loss (checked, never used for the update). */
  loss: number;
  optimizer: AdamW;
  /** Clip the global gradient norm to this; 0 measures the norm only (it is reported and checked either way). */
  maxGradNorm: number;
  /** linearWarmupDecay's arguments; `step` is the 0-based index of this update. */
  schedule: { step: number; peakLr: number; warmupSteps: number; totalSteps: number };
}

/** `applied: false`: the loss or the gradient norm is not finite and nothing was updated (the caller reports it). */
export type TrainingStepResult = { applied: true; lr: number; gradNorm: number } | { applied: false; loss: number; gradNorm: number };

/**
 * One optimizer update of a trainer that has its loss and gradients: global-norm clipping (torch's
 * clip_grad_norm_ when `maxGradNorm` > 0, else the norm alone), then — only when loss and norm are finite — the
 * learning rate of the warmup + linear decay schedule and an AdamW step. A non-finite step changes nothing, so the
 * caller can stop with the last good weights and checkpoint. Leaves no tensors behind but the optimizer's moments.
 */
export function applyTrainingStep(params: TrainingStepParams): TrainingStepResult {
  const { maxGradNorm } = params;
  let clipped: Map<string, tf.Tensor> | undefined;
  try {
    if (typeof maxGradNorm !== 'number' || !(maxGradNorm >= 0) || !Number.isFinite(maxGradNorm)) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `applyTrainingStep: maxGradNorm must be a finite number ≥ 0 (0: no clipping), got ${maxGradNorm}` });
    }
    let gradNorm: number;
    if (maxGradNorm > 0) {
      ({ grads: clipped, globalNorm: gradNorm } = clipByGlobalNorm(params.grads, maxGradNorm));
      // the raw gradients are no longer needed: free them before AdamW allocates its temporaries
      tf.dispose([...params.grads.values()]);
    } else gradNorm = globalNorm([...params.grads.values()]);
    if (!Number.isFinite(params.loss) || !Number.isFinite(gradNorm)) return { applied: false, loss: params.loss, gradNorm };
    const lr = linearWarmupDecay(params.schedule);
    params.optimizer.applyGradients(params.params, clipped ?? params.grads, lr);
    return { applied: true, lr, gradNorm };
  } finally {
    tf.dispose([...params.grads.values(), ...(clipped?.values() ?? [])]);
  }
}

/** What was not finite in a step `applyTrainingStep` refused, for error messages: 'loss is NaN', 'gradient norm is Infinity'. */
export function describeNonFinite(step: { loss: number; gradNorm: number }): string {
  return Number.isFinite(step.loss) ? `gradient norm is ${step.gradNorm}` : `loss is ${step.loss}`;
}

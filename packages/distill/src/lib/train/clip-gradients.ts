import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm, KoenbertError } from '@koenbert/tensor-utils';

/**
 * Global-norm clipping when `maxGradNorm` > 0, else the norm alone (it is logged and checked either way).
 * Takes ownership of `grads`: they are disposed, and the returned map is the caller's to dispose.
 */
export function clipGradients(grads: Map<string, tf.Tensor>, maxGradNorm: number): { grads: Map<string, tf.Tensor>; gradNorm: number } {
  if (maxGradNorm > 0) {
    const clipped = clipByGlobalNorm(grads, maxGradNorm);
    tf.dispose([...grads.values()]);
    return { grads: clipped.grads, gradNorm: clipped.globalNorm };
  }
  const gradNorm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
  return { grads, gradNorm };
}

/** The one-line error that stops a run whose loss or gradient norm is not finite (nothing was updated). */
export function nonFiniteError(params: { loss: number; gradNorm: number; step: number; lastCheckpoint?: string; context?: string }): KoenbertError {
  const { loss, gradNorm, step, lastCheckpoint, context } = params;
  const what = Number.isFinite(loss) ? `gradient norm is ${gradNorm}` : `loss is ${loss}`;
  const where = context ? `step ${step} (${context})` : `step ${step}`;
  const last = lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}` : 'No checkpoint was written yet';
  return new KoenbertError({ code: 'NON_FINITE_LOSS', message: `${what} at ${where}; stopped without updating. ${last} — lower optim.lr or check the data, then resume.` });
}

import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from './errors';

/**
 * Global-norm gradient clipping as torch.nn.utils.clip_grad_norm_ (torch 1.13, L2 norm) does it:
 * globalNorm = sqrt(Σ‖g‖²) over all gradients, scale = min(1, maxNorm / (globalNorm + 1e-6)), every gradient × scale.
 *
 * Returns new tensors in a new Map (the same keys, in the same order) — the caller disposes both the inputs and the
 * outputs (or runs this inside its own tf.tidy). When no clipping is needed the outputs are clones. `globalNorm` is the
 * norm before clipping, read synchronously; like torch, a non-finite norm is returned as is (and scales to 0 / NaN).
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { grads: Map<string, tf.Tensor>; globalNorm: number } {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `clipByGlobalNorm: maxNorm must be a finite number > 0, got ${maxNorm}` });
  }
  const norm = globalNorm([...grads.values()]);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, grad] of grads) clipped.set(name, scale < 1 || Number.isNaN(scale) ? tf.mul(grad, scale) : tf.clone(grad));
  return { grads: clipped, globalNorm: norm };
}

/** sqrt(Σ‖g‖²) over `grads` (L2, in float32, read synchronously); 0 for none. Leaves no tensors behind. */
export function globalNorm(grads: tf.Tensor[]): number {
  if (grads.length === 0) return 0;
  const norm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((grad) => tf.sum(tf.square(tf.cast(grad, 'float32')))))));
  const value = norm.dataSync()[0];
  norm.dispose();
  return value;
}

import * as tf from '@tensorflow/tfjs';
import { LAYER_NORM, LAYER_NORM_GRAD } from './wasm-kernels/layer-norm';

/**
 * Layer normalization over the last axis, as torch.nn.LayerNorm: (x − mean) / sqrt(var + eps) · gamma + beta, with the
 * biased variance. Differentiable in x, gamma and beta. On wasm (float32) forward and backward are one kernel each
 * (csrc/layer_norm.c); elsewhere the same formula in tf ops, differentiated by tfjs.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const fused = tf.getKernel(LAYER_NORM, tf.getBackend()) !== undefined && tf.getKernel(LAYER_NORM_GRAD, tf.getBackend()) !== undefined;
  if (!fused || x.dtype !== 'float32' || gamma.dtype !== 'float32' || beta.dtype !== 'float32') return layerNormOps(x, gamma, beta, epsilon);
  return fusedLayerNorm(epsilon)(x, gamma, beta);
}

function layerNormOps(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
  });
}

type LayerNormFn = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
const byEpsilon = new Map<number, LayerNormFn>();

/** A customGrad function per epsilon (customGrad passes tensors only). */
function fusedLayerNorm(epsilon: number): LayerNormFn {
  const existing = byEpsilon.get(epsilon);
  if (existing) return existing;
  const fn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
    save([x, gamma, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedMean, savedRstd] = saved;
        return tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x: savedX, gamma: savedGamma, mean: savedMean, rstd: savedRstd }) as tf.Tensor[];
      },
    };
  }) as unknown as LayerNormFn;
  byEpsilon.set(epsilon, fn);
  return fn;
}

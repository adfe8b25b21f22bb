import * as tf from '@tensorflow/tfjs';
import { GELU, GELU_GRAD } from './wasm-kernels/erf-gelu';

/**
 * The exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (transformers' "gelu"), differentiable. On wasm, forward and
 * gradient are one kernel each (csrc/erf_gelu.c); on other backends, or float32-less inputs, the same formula in tf
 * ops (five forward, about ten backward). The two agree to a few float32 ulp (golden test against float64).
 */
export function gelu<T extends tf.Tensor>(x: T): T {
  return geluWithGrad(x) as T;
}

const geluWithGrad = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  const value = hasKernel(GELU) && x.dtype === 'float32' ? (tf.engine().runKernel(GELU, { x }) as tf.Tensor) : geluOps(x);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [input] = saved;
      return hasKernel(GELU_GRAD) && input.dtype === 'float32' ? (tf.engine().runKernel(GELU_GRAD, { x: input, dy }) as tf.Tensor) : geluGradOps(input, dy);
    },
  };
});

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function geluOps(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). */
function geluGradOps(x: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return tf.mul(dy, tf.add(cdf, tf.mul(x, pdf)));
  });
}

import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from './errors';
import { XENT_GRAD, XENT_ROW_STATS } from './wasm-kernels/softmax-cross-entropy';

/**
 * Mean softmax cross-entropy of logits [rows, classes] against one target class per row (int32; a negative target
 * ignores the row; a target ≥ classes is a KoenbertError), as torch's cross_entropy with ignore_index:
 * −Σ log softmax(logits)[r, target_r] / (number of kept rows, at least 1). Differentiable in the logits. On wasm: one
 * kernel for the row statistics and one for the gradient (csrc/softmax_xent.c); elsewhere log-softmax and a gather in
 * tf ops.
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const classes = logits.shape[1];
  const picks = targetPicks(targets.dataSync(), classes, logits.shape);
  const fused = tf.getKernel(XENT_ROW_STATS, tf.getBackend()) !== undefined && tf.getKernel(XENT_GRAD, tf.getBackend()) !== undefined;
  return tf.tidy(() => {
    const flatIndex = tf.tensor1d(picks.flatIndex, 'int32');
    const weights = tf.tensor1d(picks.weights, 'float32');
    if (!fused || logits.dtype !== 'float32') {
      const picked = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), flatIndex);
      return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), picks.kept) as tf.Scalar;
    }
    return fusedCrossEntropy({ flatIndex, weights, kept: picks.kept })(logits, tf.tensor1d(picks.rowTargets, 'int32')) as tf.Scalar;
  });
}

/**
 * From the targets' values: each row's target (−1 when ignored, as csrc/softmax_xent.c takes it), the flat index of
 * that logit (0 when ignored), the rows' 0/1 weights and the number of kept rows (at least 1).
 */
function targetPicks(values: ArrayLike<number>, classes: number, logitsShape: number[]) {
  const rowTargets = new Int32Array(values.length);
  const flatIndex = new Int32Array(values.length);
  const weights = new Float32Array(values.length);
  let kept = 0;
  for (let row = 0; row < values.length; row++) {
    const target = values[row];
    if (target >= classes) {
      throw new KoenbertError({
        code: 'INVALID_ARGUMENT',
        message: `sparseSoftmaxCrossEntropy: target ${target} is not a class of logits [${logitsShape}] (0 to ${classes - 1}, or negative to ignore the row)`,
      });
    }
    const used = target >= 0;
    rowTargets[row] = used ? target : -1;
    flatIndex[row] = row * classes + (used ? target : 0);
    weights[row] = used ? 1 : 0;
    if (used) kept += 1;
  }
  return { rowTargets, flatIndex, weights, kept: Math.max(kept, 1) };
}

/** The loss as a custom-gradient function of (logits, row targets) for one call's picks. */
function fusedCrossEntropy(picks: { flatIndex: tf.Tensor1D; weights: tf.Tensor1D; kept: number }) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [logits, rowTargets] = args as [tf.Tensor2D, tf.Tensor1D];
    const save = args[2] as tf.GradSaveFunc;
    const [rowMax, rowSum] = tf.engine().runKernel(XENT_ROW_STATS, { logits }) as tf.Tensor[];
    const lse = tf.add(rowMax, tf.log(rowSum));
    const picked = tf.gather(tf.reshape(logits, [-1]), picks.flatIndex);
    const value = tf.div(tf.sum(tf.mul(tf.sub(lse, picked), picks.weights)), picks.kept) as tf.Scalar;
    save([logits, rowTargets, lse]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedLogits, savedTargets, savedLse] = saved;
        // The loss is a scalar: its gradient is one number, read here so that the kernel scales as it writes.
        const scale = dy.dataSync()[0] / picks.kept;
        const dlogits = tf.engine().runKernel(XENT_GRAD, { logits: savedLogits, targets: savedTargets, lse: savedLse }, { scale }) as tf.Tensor;
        return [dlogits, tf.zerosLike(savedTargets)];
      },
    };
  });
}

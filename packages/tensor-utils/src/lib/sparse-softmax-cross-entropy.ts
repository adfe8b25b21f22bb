import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from './errors';
import { XENT_GRAD, XENT_ROW_STATS } from './wasm-kernels/softmax-cross-entropy';

/**
 * Mean softmax cross-entropy of logits [rows, classes] against one target class per row (int32; a negative target
 * ignores the row; a target ≥ classes is a KoenbertError),
 * as torch's cross_entropy with ignore_index: −Σ log softmax(logits)[r, target_r] / (number of kept rows, at least 1).
 * Differentiable in the logits. On wasm: one kernel for the row statistics and one for the gradient
 * (csrc/softmax_xent.c); elsewhere log-softmax and a gather in tf ops.
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const classes = logits.shape[1];
  const outOfRange = Array.from(targets.dataSync()).find((target) => target >= classes);
  if (outOfRange !== undefined) {
    throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `sparseSoftmaxCrossEntropy: target ${outOfRange} is not a class of logits [${logits.shape}] (0 to ${classes - 1}, or negative to ignore the row)` });
  }
  const fused = tf.getKernel(XENT_ROW_STATS, tf.getBackend()) !== undefined && tf.getKernel(XENT_GRAD, tf.getBackend()) !== undefined;
  const intTargets = targets.dtype === 'int32' ? targets : (tf.cast(targets, 'int32') as tf.Tensor1D);
  try {
    if (!fused || logits.dtype !== 'float32') return crossEntropyOps(logits, intTargets);
    return fusedCrossEntropy(logits, intTargets) as tf.Scalar;
  } finally {
    if (intTargets !== targets) intTargets.dispose();
  }
}

/** Flat indices of each row's target in logits [rows, classes] (0 for ignored rows) and the 0/1 weights of the rows. */
function picks(targets: tf.Tensor1D, classes: number): { flatIndex: tf.Tensor1D; weights: tf.Tensor1D } {
  const valid = tf.greaterEqual(targets, 0);
  const safe = tf.mul(targets, tf.cast(valid, 'int32'));
  const flatIndex = tf.add(tf.mul(tf.range(0, targets.shape[0], 1, 'int32'), tf.scalar(classes, 'int32')), safe) as tf.Tensor1D;
  return { flatIndex, weights: tf.cast(valid, 'float32') as tf.Tensor1D };
}

function crossEntropyOps(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const { flatIndex, weights } = picks(targets, logits.shape[1]);
    const picked = tf.gather(tf.reshape(tf.logSoftmax(logits), [-1]), flatIndex);
    return tf.div(tf.sub(0, tf.sum(tf.mul(picked, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}

const fusedCrossEntropy = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [logits, targets] = args as [tf.Tensor2D, tf.Tensor1D];
  const save = args[2] as tf.GradSaveFunc;
  const [rowMax, rowSum] = tf.engine().runKernel(XENT_ROW_STATS, { logits }) as tf.Tensor[];
  const lse = tf.add(rowMax, tf.log(rowSum));
  const { flatIndex, weights } = picks(targets, logits.shape[1]);
  const picked = tf.gather(tf.reshape(logits, [-1]), flatIndex);
  const kept = tf.maximum(tf.sum(weights), 1);
  const value = tf.div(tf.sum(tf.mul(tf.sub(lse, picked), weights)), kept) as tf.Scalar;
  const one = tf.scalar(1, 'int32');
  const safeTargets = tf.sub(tf.mul(tf.add(targets, one), tf.cast(tf.greaterEqual(targets, 0), 'int32')), one);
  save([logits, safeTargets, lse, kept]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedLogits, savedTargets, savedLse, savedKept] = saved;
      // The loss is a scalar: its gradient is one number, read here so that the kernel scales as it writes.
      const scale = dy.dataSync()[0] / savedKept.dataSync()[0];
      const dlogits = tf.engine().runKernel(XENT_GRAD, { logits: savedLogits, targets: savedTargets, lse: savedLse }, { scale }) as tf.Tensor;
      return [dlogits, tf.zerosLike(savedTargets)];
    },
  };
});

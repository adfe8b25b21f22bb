import * as tf from '@tensorflow/tfjs';
import { KoenbertError, sparseSoftmaxCrossEntropy } from '@koenbert/tensor-utils';

/**
 * torch.nn.functional.cross_entropy with `ignore_index` and mean reduction: logits [..., classes], labels [...] int32
 * (the same leading shape). Positions labelled `ignoreIndex` (default −100, transformers' convention for unmasked
 * MLM positions and padding) do not count; with no counted position the loss is 0.
 *
 * `kernel` picks how it is computed — the same loss, rounded differently:
 * - `'sparse'` (default): tensor-utils' sparseSoftmaxCrossEntropy — on wasm two fused kernels (csrc/softmax_xent.c),
 *   elsewhere log-softmax and a gather;
 * - `'one-hot'`: Σ one-hot · log-softmax in stock tf ops on every backend, no gather (so its gradient needs no
 *   UnsortedSegmentSum kernel). On wasm it differs from the fused kernels by up to 1 ulp on the loss and in other
 *   gradient bits, enough to move a fine-tuning run's later losses: eval-klue-glue's fine-tuning uses it, the loss its
 *   published results and README example were made with.
 */
export function crossEntropyLoss(params: { logits: tf.Tensor; labels: tf.Tensor; ignoreIndex?: number; kernel?: 'sparse' | 'one-hot' }): tf.Scalar {
  const { logits, labels } = params;
  const ignoreIndex = params.ignoreIndex ?? -100;
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1];
    const flatLogits = tf.reshape(logits, [-1, classes]);
    const count = flatLogits.shape[0];
    const flatLabels = tf.reshape(tf.cast(labels, 'int32'), [-1]);
    if (flatLabels.shape[0] !== count) {
      throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `crossEntropyLoss: ${count} rows of logits [${logits.shape}] but ${flatLabels.shape[0]} labels [${labels.shape}]` });
    }
    // ignored rows become target −1; on wasm the loss and its gradient are two fused kernels (tensor-utils)
    const targets = Int32Array.from(flatLabels.dataSync(), (label) => {
      if (label === ignoreIndex) return -1;
      if (label < 0) {
        throw new KoenbertError({ code: 'INVALID_ARGUMENT', message: `crossEntropyLoss: label ${label} is negative and not the ignore index ${ignoreIndex}` });
      }
      return label;
    });
    if (params.kernel === 'one-hot') return oneHotCrossEntropy(flatLogits, targets);
    return sparseSoftmaxCrossEntropy(flatLogits as tf.Tensor2D, tf.tensor1d(targets, 'int32'));
  });
}

/** −Σ_rows w · Σ one-hot · log-softmax / max(Σ w, 1) with w = 0 on target −1 rows (inside crossEntropyLoss' tidy). */
function oneHotCrossEntropy(flatLogits: tf.Tensor, targets: Int32Array): tf.Scalar {
  const classes = flatLogits.shape[1]!;
  const oneHot = tf.oneHot(tf.tensor1d(targets.map((target) => Math.max(target, 0)), 'int32'), classes);
  const weights = tf.tensor1d(Float32Array.from(targets, (target) => (target >= 0 ? 1 : 0)), 'float32');
  const perRow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(flatLogits)), -1));
  return tf.div(tf.sum(tf.mul(perRow, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
}

/** torch.nn.functional.mse_loss (mean) — transformers' loss for sequence regression (num_labels == 1). */
export function mseLoss(params: { predictions: tf.Tensor; targets: tf.Tensor }): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(params.predictions, [-1]), tf.reshape(tf.cast(params.targets, 'float32'), [-1]))) as tf.Scalar);
}

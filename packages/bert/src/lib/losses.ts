import * as tf from '@tensorflow/tfjs';
import { KoenbertError, sparseSoftmaxCrossEntropy } from '@koenbert/tensor-utils';

/**
 * torch.nn.functional.cross_entropy with `ignore_index` and mean reduction: logits [..., classes], labels [...] int32
 * (the same leading shape). Positions labelled `ignoreIndex` (default −100, transformers' convention for unmasked
 * MLM positions and padding) do not count; with no counted position the loss is 0.
 */
export function crossEntropyLoss(params: { logits: tf.Tensor; labels: tf.Tensor; ignoreIndex?: number }): tf.Scalar {
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
    return sparseSoftmaxCrossEntropy(flatLogits as tf.Tensor2D, tf.tensor1d(targets, 'int32'));
  });
}

/** torch.nn.functional.mse_loss (mean) — transformers' loss for sequence regression (num_labels == 1). */
export function mseLoss(params: { predictions: tf.Tensor; targets: tf.Tensor }): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(params.predictions, [-1]), tf.reshape(tf.cast(params.targets, 'float32'), [-1]))) as tf.Scalar);
}

import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '@koenbert/tensor-utils';

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
    const valid = tf.notEqual(flatLabels, ignoreIndex);
    const safeLabels = tf.mul(flatLabels, tf.cast(valid, 'int32'));
    const flatIndex = tf.add(tf.mul(tf.range(0, count, 1, 'int32'), tf.scalar(classes, 'int32')), safeLabels);
    const picked = tf.gather(tf.reshape(tf.logSoftmax(flatLogits), [-1]), flatIndex);
    const weights = tf.cast(valid, 'float32');
    return tf.div(tf.sub(0, tf.sum(tf.mul(picked, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}

/** torch.nn.functional.mse_loss (mean) — transformers' loss for sequence regression (num_labels == 1). */
export function mseLoss(params: { predictions: tf.Tensor; targets: tf.Tensor }): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(params.predictions, [-1]), tf.reshape(tf.cast(params.targets, 'float32'), [-1]))) as tf.Scalar);
}

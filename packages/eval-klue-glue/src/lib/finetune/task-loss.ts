import * as tf from '@tensorflow/tfjs';
import type { TaskSpec } from '../tasks/task-registry';
import type { Batch } from '../tokenize/collate-batch';

/**
 * Mean cross-entropy over the rows whose label is not negative (torch's `ignore_index=-100` convention),
 * as one-hot · log-softmax — no gather, so its gradient needs no UnsortedSegmentSum kernel. 0 when no row counts.
 * The same loss as @koenbert/bert's `crossEntropyLoss` (test/task-loss.test.ts checks them against each other and a
 * closed form), kept because on wasm that one's fused kernel rounds differently (≤ 1 ulp on the loss, other gradient
 * bits), which moves fine-tuning results (the README example's last YNAT loss: 1.0677 → 1.0678).
 */
export function maskedCrossEntropy(params: { logits: tf.Tensor; labels: Int32Array }): tf.Scalar {
  return tf.tidy(() => {
    const classes = params.logits.shape[params.logits.rank - 1];
    const flatLogits = tf.reshape(params.logits, [-1, classes]);
    const oneHot = tf.oneHot(tf.tensor1d(params.labels.map((label) => Math.max(label, 0)), 'int32'), classes);
    const weights = tf.tensor1d(Float32Array.from(params.labels, (label) => (label >= 0 ? 1 : 0)), 'float32');
    const perRow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(flatLogits)), -1));
    return tf.div(tf.sum(tf.mul(perRow, weights)), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}

/**
 * transformers' fine-tuning losses: cross-entropy for classification, mean squared error on the single output for
 * regression, token cross-entropy ignoring IGNORE_LABEL (special tokens, extra pieces of a character, padding) for NER.
 */
export function taskLoss(params: { task: TaskSpec; logits: tf.Tensor; batch: Batch }): tf.Scalar {
  const { task, logits, batch } = params;
  if (task.kind === 'regression') {
    return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(logits, [-1]), tf.tensor1d(batch.labels!, 'float32'))) as tf.Scalar);
  }
  const labels = task.kind === 'token-classification' ? batch.tokenLabels! : Int32Array.from(batch.labels!);
  return maskedCrossEntropy({ logits, labels });
}

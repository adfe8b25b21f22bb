import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss, mseLoss } from '@koenbert/bert';
import type { TaskSpec } from '../tasks/task-registry';
import type { Batch } from '../tokenize/collate-batch';

/**
 * transformers' fine-tuning losses, from @koenbert/bert: cross-entropy for classification, mean squared error on the
 * single output for regression, token cross-entropy ignoring IGNORE_LABEL (−100: special tokens, extra pieces of a
 * character, padding) for NER. Cross-entropy runs with bert's `'one-hot'` kernel, the arithmetic eval's results were
 * made with (on wasm the default fused kernel rounds differently and moves the README example's last YNAT loss
 * 1.0677 → 1.0678).
 */
export function taskLoss(params: { task: TaskSpec; logits: tf.Tensor; batch: Batch }): tf.Scalar {
  const { task, logits, batch } = params;
  return tf.tidy(() => {
    if (task.kind === 'regression') return mseLoss({ predictions: logits, targets: tf.tensor1d(batch.labels!, 'float32') });
    const labels = task.kind === 'token-classification' ? batch.tokenLabels! : Int32Array.from(batch.labels!);
    return crossEntropyLoss({ logits, labels: tf.tensor1d(labels, 'int32'), kernel: 'one-hot' });
  });
}

import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss, type BertModel } from '@koenbert/bert';
import type { MaskedTokens } from './mask-tokens';
import type { IdBatch } from './mlm-batches';

/**
 * Mean cross-entropy over the masked tokens of one batch and its gradient for every weight.
 *
 * Only the masked rows of the last hidden state (`masked.positions`, about 15 % of the tokens) go through the MLM
 * transform and the vocabulary projection: the rows are gathered from the flattened [batch × seq, hidden] state
 * before the head (BertModel's `logitPositions`), so the decoder, the softmax over the vocabulary and their
 * gradients — most of a step for a 30k–50k vocabulary — cost ~15 % of decoding every position. The exact count is
 * used (no padding to a bucket): tfjs takes a different row count every step. The loss and gradients are those of
 * decoding every position with −100 labels elsewhere (test/pretrain-mlm-grads.test.ts); tf.gather's gradient is
 * UnsortedSegmentSum, which tensor-utils registers for wasm. The caller disposes the gradients.
 */
export function mlmGrads(params: { model: BertModel; batch: IdBatch; masked: MaskedTokens; dropoutSeed?: number }): { loss: number; grads: Map<string, tf.Tensor> } {
  const { model, batch, masked } = params;
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  const inputIds = tf.tensor2d(masked.inputIds, shape, 'int32');
  const attentionMask = tf.tensor2d(batch.attentionMask, shape, 'int32');
  const positions = tf.tensor1d(masked.positions, 'int32');
  const targets = tf.tensor1d(masked.targets, 'int32');
  try {
    const { loss, grads } = model.valueAndGrads(() => {
      const output = model.forward({ inputIds, attentionMask, logitPositions: positions, training: params.dropoutSeed !== undefined, seed: params.dropoutSeed });
      return crossEntropyLoss({ logits: output.logits!, labels: targets });
    });
    const value = loss.dataSync()[0];
    loss.dispose();
    return { loss: value, grads };
  } finally {
    tf.dispose([inputIds, attentionMask, positions, targets]);
  }
}

import * as tf from '@tensorflow/tfjs';
import type { BertModel } from '@koenbert/bert';
import { batchInputs, disposeInputs } from '../finetune/predict';
import { collateBatch } from '../tokenize/collate-batch';
import type { EncodedExample } from '../tokenize/encode-examples';

/** How a sentence becomes one feature vector: the last layer's [CLS] row, or the mean of its real tokens' rows. */
export type Pooling = 'cls' | 'mean';

/**
 * Frozen last-layer features (dropout off): one row per example for sentence tasks ([n, hidden], row-major), or for
 * token tasks one [tokens, hidden] block per example. Examples run in length-sorted batches to save padding.
 */
export async function probeFeatures(params: {
  model: BertModel;
  examples: readonly EncodedExample[];
  padId: number;
  pooling: Pooling;
  perToken: boolean;
  useTokenTypeIds: boolean;
  batchSize?: number;
}): Promise<{ hidden: number; sentences?: Float32Array; tokens?: Float32Array[] }> {
  const { model, examples, padId } = params;
  const hidden = model.config.hidden_size;
  const batchSize = params.batchSize ?? 64;
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].inputIds.length - examples[b].inputIds.length);
  const sentences = params.perToken ? undefined : new Float32Array(examples.length * hidden);
  const tokens = params.perToken ? new Array<Float32Array>(examples.length) : undefined;
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = collateBatch({ examples: indices.map((i) => examples[i]), padId });
    const inputs = batchInputs(batch, params.useTokenTypeIds);
    const output = tf.tidy(() => {
      const last = model.forward({ ...inputs, training: false }).lastHiddenState;
      if (params.perToken) return last;
      if (params.pooling === 'cls') return tf.squeeze(tf.slice(last, [0, 0, 0], [-1, 1, -1]), [1]);
      const mask = tf.expandDims(tf.cast(inputs.attentionMask, 'float32'), 2);
      return tf.div(tf.sum(tf.mul(last, mask), 1), tf.sum(mask, 1));
    });
    disposeInputs(inputs);
    const values = (await output.data()) as Float32Array;
    output.dispose();
    indices.forEach((exampleIndex, row) => {
      if (tokens) {
        const length = examples[exampleIndex].inputIds.length;
        const offset = row * batch.seqLength * hidden;
        tokens[exampleIndex] = values.slice(offset, offset + length * hidden);
      } else {
        sentences!.set(values.subarray(row * hidden, (row + 1) * hidden), exampleIndex * hidden);
      }
    });
  }
  return { hidden, sentences, tokens };
}

import * as tf from '@tensorflow/tfjs';
import type { BertModel } from '@koenbert/bert';
import { charPredictions } from '../ner/char-predictions';
import type { TaskPredictions } from '../metrics/task-metrics';
import type { TaskSpec } from '../tasks/task-registry';
import { collateBatch, type Batch } from '../tokenize/collate-batch';
import type { EncodedExample } from '../tokenize/encode-examples';

/** int32 input tensors of a batch (token type ids only when used). */
export function batchInputs(batch: Batch, useTokenTypeIds: boolean): { inputIds: tf.Tensor2D; attentionMask: tf.Tensor2D; tokenTypeIds?: tf.Tensor2D } {
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  return {
    inputIds: tf.tensor2d(batch.inputIds, shape, 'int32'),
    attentionMask: tf.tensor2d(batch.attentionMask, shape, 'int32'),
    ...(useTokenTypeIds ? { tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, shape, 'int32') } : {}),
  };
}

export function disposeInputs(inputs: Record<string, tf.Tensor | undefined>): void {
  for (const tensor of Object.values(inputs)) tensor?.dispose();
}

/**
 * Gold values of an encoded evaluation set, in the shape `taskMetrics` takes (with the characters of NER sentences
 * and KLUE STS's binary labels, which the official scoring needs); `predicted` is left empty for the caller.
 */
export function goldOf(task: TaskSpec, examples: readonly EncodedExample[]): TaskPredictions {
  if (task.kind === 'token-classification') {
    return { kind: task.kind, gold: examples.map((e) => e.alignment!.charLabels), predicted: [], chars: examples.map((e) => e.alignment!.chars) };
  }
  const gold = examples.map((e) => e.label ?? 0);
  if (task.kind === 'regression' && examples.length > 0 && examples.every((e) => e.binaryLabel !== undefined)) {
    return { kind: task.kind, gold, predicted: [], goldBinary: examples.map((e) => e.binaryLabel!) };
  }
  return { kind: task.kind, gold, predicted: [] };
}

/**
 * Model predictions for every example (dropout off): class ids, regression scores, or — for NER — one tag id per
 * character (token predictions mapped back through the offsets). Batches are formed from length-sorted examples
 * to save padding; results come back in input order.
 */
export async function predict(params: {
  model: BertModel;
  task: TaskSpec;
  examples: readonly EncodedExample[];
  batchSize: number;
  padId: number;
  useTokenTypeIds: boolean;
}): Promise<TaskPredictions> {
  const { model, task, examples, batchSize, padId, useTokenTypeIds } = params;
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].inputIds.length - examples[b].inputIds.length);
  const sequence: number[] = new Array(examples.length);
  const tokens: number[][] = new Array(examples.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.slice(start, start + batchSize);
    const batch = collateBatch({ examples: indices.map((i) => examples[i]), padId });
    const inputs = batchInputs(batch, useTokenTypeIds);
    const output = tf.tidy(() => {
      const logits = model.forward({ ...inputs, training: false }).logits as tf.Tensor;
      if (task.kind === 'regression') return tf.reshape(logits, [-1]);
      return tf.argMax(logits, -1);
    });
    disposeInputs(inputs);
    const values = await output.data();
    output.dispose();
    indices.forEach((exampleIndex, row) => {
      if (task.kind === 'token-classification') {
        tokens[exampleIndex] = Array.from(values.subarray(row * batch.seqLength, (row + 1) * batch.seqLength));
      } else {
        sequence[exampleIndex] = values[row];
      }
    });
  }
  if (task.kind === 'token-classification') {
    const predicted = examples.map((e, i) => charPredictions({ ...e.alignment!, tokenPredictions: tokens[i], labels: task.labels }));
    return { ...goldOf(task, examples), predicted } as TaskPredictions;
  }
  return { ...goldOf(task, examples), predicted: sequence } as TaskPredictions;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export { SHARED_DATA, describeIfSharedData } from '../../../tools/test-support/shared-data';
import { SHARED_DATA } from '../../../tools/test-support/shared-data';
export const TINY_BERT = path.join(SHARED_DATA, 'models/tiny-random-bert');

export interface Packed {
  shape: number[];
  data: number[];
}

/** test/fixtures/tiny-random-bert-golden.json, written by tools/golden/make-bert-golden.py. */
export interface Golden {
  inputs: { input_ids: Packed; attention_mask: Packed; token_type_ids: Packed };
  hidden_states: Packed[];
  pooled_output: Packed;
  sequence_classification_logits: Packed;
  qkv: Array<{ layer: number; query: Packed; key: Packed; value: Packed }>;
  activations: Record<'gelu_new' | 'relu', Packed>;
  heads: Record<string, Packed>;
  masked_lm_logits: Packed;
  token_classification_logits: Packed;
  transformers_keys: Record<string, string[]>;
  gradients: { labels: number[]; loss: number; params: Record<string, { sum_squares: number; first: number[] }> };
}

export function loadGolden(): Golden {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures/tiny-random-bert-golden.json'), 'utf8')) as Golden;
}

export function int2d(packed: Packed): tf.Tensor2D {
  return tf.tensor2d(packed.data, packed.shape as [number, number], 'int32');
}

/** Largest |actual − expected| (shapes must agree). */
export function maxAbsDiff(actual: tf.Tensor, expected: Packed): number {
  expect(actual.shape).toEqual(expected.shape);
  const values = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected.data[i]));
  return worst;
}

export function disposeAll(value: unknown): void {
  tf.dispose(value as tf.TensorContainer);
}

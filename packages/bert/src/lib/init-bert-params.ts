import { SeededRng } from '@koenbert/tensor-utils';
import type { BertConfig } from './bert-config';

/** A normal(0, std) Float32Array of `length` values drawn from `rng`. */
export function normalValues(params: { rng: SeededRng; length: number; std: number }): Float32Array {
  const { rng, length, std } = params;
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = rng.normal() * std;
  return values;
}

/**
 * Initial value of one parameter as transformers' BertPreTrainedModel._init_weights sets it: Linear and Embedding
 * weights ~ normal(0, initializer_range) (the padding row of the word embeddings zeroed), LayerNorm weight 1,
 * every bias (and cls.predictions.bias) 0.
 */
export function initialParamValue(params: { name: string; shape: number[]; config: BertConfig; rng: SeededRng }): Float32Array {
  const { name, shape, config, rng } = params;
  const length = shape.reduce((a, b) => a * b, 1);
  if (name.endsWith('LayerNorm.weight')) return new Float32Array(length).fill(1);
  if (name.endsWith('bias') || shape.length !== 2) return new Float32Array(length);
  const values = normalValues({ rng, length, std: config.initializer_range });
  if (name.endsWith('embeddings.word_embeddings.weight')) {
    const h = shape[1];
    values.fill(0, config.pad_token_id * h, (config.pad_token_id + 1) * h);
  }
  return values;
}

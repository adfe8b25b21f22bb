import * as tf from '@tensorflow/tfjs';
import { BertModel, type BertConfig } from '@koenbert/bert';

/** A small BERT config (1 layer) with the given vocab and hidden sizes. */
export function tinyConfig(vocabSize: number, hiddenSize: number): BertConfig {
  return {
    vocab_size: vocabSize,
    hidden_size: hiddenSize,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 37,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
  };
}

/**
 * Writes a random-weight BertForMaskedLM folder (config.json + model.safetensors) whose word
 * embeddings are `embeddings` (vocab × hidden, row-major). Returns the MLM decoder bias it saved.
 */
export async function writeTinyModel(params: { dir: string; vocabSize: number; hiddenSize: number; embeddings: Float32Array; seed: number }): Promise<Float32Array> {
  const model = BertModel.create({ config: tinyConfig(params.vocabSize, params.hiddenSize), task: 'masked-lm', seed: params.seed });
  try {
    const values = tf.tensor2d(params.embeddings, [params.vocabSize, params.hiddenSize]);
    model.params.get('bert.embeddings.word_embeddings.weight')!.assign(values);
    values.dispose();
    const bias = tf.randomNormal([params.vocabSize], 0, 0.1, 'float32', params.seed);
    model.params.get('cls.predictions.bias')!.assign(bias);
    bias.dispose();
    await model.savePretrained(params.dir);
    return Float32Array.from(model.params.get('cls.predictions.bias')!.dataSync());
  } finally {
    model.dispose();
  }
}

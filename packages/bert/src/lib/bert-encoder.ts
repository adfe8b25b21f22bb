import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from './bert-config';
import { activation, layerNorm, linear, type DropoutStream } from './bert-layers';

/** Looks a parameter up by its name inside the BertModel (`embeddings.…`, `encoder.layer.0.…`, `pooler.…`). */
export type ParamLookup = (name: string) => tf.Tensor;

/**
 * transformers' `extended_attention_mask`: 0 where attended, the most negative float32 where masked
 * (finite, so a fully masked row gives a uniform softmax instead of NaN). Shape [batch, 1, 1, seq].
 */
export const MASKED_SCORE = -3.4028234663852886e38;

export interface EncoderOutput {
  lastHiddenState: tf.Tensor3D;
  hiddenStates?: tf.Tensor3D[];
  qkv?: Array<{ layer: number; query: tf.Tensor3D; key: tf.Tensor3D; value: tf.Tensor3D }>;
}

/** BertEmbeddings: word + absolute position + token type, then LayerNorm and dropout. */
export function bertEmbeddings(params: {
  param: ParamLookup;
  config: BertConfig;
  inputIds: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
  dropout: DropoutStream;
}): tf.Tensor3D {
  const { param, config, inputIds, tokenTypeIds, dropout } = params;
  const [, seq] = inputIds.shape;
  const h = config.hidden_size;
  const words = tf.gather(param('embeddings.word_embeddings.weight'), inputIds);
  const positions = tf.slice(param('embeddings.position_embeddings.weight'), [0, 0], [seq, h]);
  const types = tokenTypeIds
    ? tf.gather(param('embeddings.token_type_embeddings.weight'), tokenTypeIds)
    : tf.slice(param('embeddings.token_type_embeddings.weight'), [0, 0], [1, h]);
  const summed = tf.add(tf.add(words, types), positions);
  const normed = layerNorm(summed, param('embeddings.LayerNorm.weight'), param('embeddings.LayerNorm.bias'), config.layer_norm_eps);
  return dropout.apply(normed, config.hidden_dropout_prob) as tf.Tensor3D;
}

/** [batch, seq, hidden] → [batch, heads, seq, headSize] */
function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [batch, seq, hidden] = x.shape;
  return tf.transpose(tf.reshape(x, [batch, seq, heads, hidden / heads]), [0, 2, 1, 3]);
}

/** [batch, heads, seq, headSize] → [batch, seq, hidden] */
function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [batch, heads, seq, headSize] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [batch, seq, heads * headSize]);
}

/** One post-LN BertLayer: self-attention → add & LayerNorm → FFN → add & LayerNorm. */
function bertLayer(params: {
  param: ParamLookup;
  config: BertConfig;
  layer: number;
  hidden: tf.Tensor3D;
  maskBias: tf.Tensor;
  dropout: DropoutStream;
}): { output: tf.Tensor3D; query: tf.Tensor3D; key: tf.Tensor3D; value: tf.Tensor3D } {
  const { config, hidden, maskBias, dropout } = params;
  const p = (name: string) => params.param(`encoder.layer.${params.layer}.${name}`);
  const heads = config.num_attention_heads;
  const query = linear(hidden, p('attention.self.query.weight'), p('attention.self.query.bias')) as tf.Tensor3D;
  const key = linear(hidden, p('attention.self.key.weight'), p('attention.self.key.bias')) as tf.Tensor3D;
  const value = linear(hidden, p('attention.self.value.weight'), p('attention.self.value.bias')) as tf.Tensor3D;

  const scale = 1 / Math.sqrt(config.hidden_size / heads);
  const scores = tf.add(tf.mul(tf.matMul(splitHeads(query, heads), splitHeads(key, heads), false, true), scale), maskBias);
  const probs = dropout.apply(tf.softmax(scores), config.attention_probs_dropout_prob);
  const context = mergeHeads(tf.matMul(probs as tf.Tensor4D, splitHeads(value, heads)));

  const attended = dropout.apply(linear(context, p('attention.output.dense.weight'), p('attention.output.dense.bias')), config.hidden_dropout_prob);
  const attentionOutput = layerNorm(
    tf.add(attended, hidden),
    p('attention.output.LayerNorm.weight'),
    p('attention.output.LayerNorm.bias'),
    config.layer_norm_eps,
  );
  const intermediate = activation(linear(attentionOutput, p('intermediate.dense.weight'), p('intermediate.dense.bias')), config.hidden_act);
  const ffn = dropout.apply(linear(intermediate, p('output.dense.weight'), p('output.dense.bias')), config.hidden_dropout_prob);
  const output = layerNorm(tf.add(ffn, attentionOutput), p('output.LayerNorm.weight'), p('output.LayerNorm.bias'), config.layer_norm_eps);
  return { output: output as tf.Tensor3D, query, key, value };
}

/** BertEncoder over the embeddings; collects hidden states (embeddings first) and the requested layers' q/k/v. */
export function bertEncoder(params: {
  param: ParamLookup;
  config: BertConfig;
  embeddings: tf.Tensor3D;
  attentionMask: tf.Tensor2D;
  dropout: DropoutStream;
  outputHiddenStates: boolean;
  outputQkvLayers: number[];
}): EncoderOutput {
  const { config, embeddings, attentionMask, outputHiddenStates, outputQkvLayers } = params;
  const [batch, seq] = attentionMask.shape;
  const maskBias = tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASKED_SCORE), [batch, 1, 1, seq]);
  const hiddenStates: tf.Tensor3D[] = [embeddings];
  const qkv: NonNullable<EncoderOutput['qkv']> = [];
  let hidden = embeddings;
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const out = bertLayer({ param: params.param, config, layer, hidden, maskBias, dropout: params.dropout });
    if (outputQkvLayers.includes(layer)) qkv.push({ layer, query: out.query, key: out.key, value: out.value });
    hidden = out.output;
    hiddenStates.push(hidden);
  }
  return {
    lastHiddenState: hidden,
    hiddenStates: outputHiddenStates ? hiddenStates : undefined,
    qkv: outputQkvLayers.length > 0 ? qkv : undefined,
  };
}

/** BertPooler: dense + tanh on the first ([CLS]) token. */
export function bertPooler(params: { param: ParamLookup; hidden: tf.Tensor3D }): tf.Tensor2D {
  const [batch, , h] = params.hidden.shape;
  const first = tf.reshape(tf.slice(params.hidden, [0, 0, 0], [batch, 1, h]), [batch, h]);
  return tf.tanh(linear(first, params.param('pooler.dense.weight'), params.param('pooler.dense.bias'))) as tf.Tensor2D;
}

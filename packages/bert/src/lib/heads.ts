import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from './bert-config';
import { activation, layerNorm, linear, type DropoutStream } from './bert-layers';
import type { ParamLookup } from './bert-encoder';

/**
 * BertOnlyMLMHead: transform (dense → hidden_act → LayerNorm), then the decoder tied to the word embeddings
 * (logits = h · Eᵀ + cls.predictions.bias). `param` looks up full state-dict names. Returns [batch, seq, vocab].
 */
export function maskedLmHead(params: { param: ParamLookup; config: BertConfig; hidden: tf.Tensor3D; wordEmbeddings: tf.Tensor }): tf.Tensor3D {
  const { param, config, hidden, wordEmbeddings } = params;
  const transformed = layerNorm(
    activation(linear(hidden, param('cls.predictions.transform.dense.weight'), param('cls.predictions.transform.dense.bias')), config.hidden_act),
    param('cls.predictions.transform.LayerNorm.weight'),
    param('cls.predictions.transform.LayerNorm.bias'),
    config.layer_norm_eps,
  );
  return linear(transformed, wordEmbeddings, param('cls.predictions.bias')) as tf.Tensor3D;
}

/** transformers: `classifier_dropout` when set, else `hidden_dropout_prob`. */
export function classifierDropoutRate(config: BertConfig): number {
  return config.classifier_dropout ?? config.hidden_dropout_prob;
}

/**
 * BertForSequenceClassification / BertForTokenClassification's head: dropout + linear classifier.
 * Sequence: `features` is the pooled output [batch, hidden] → [batch, numLabels] (one column: regression).
 * Token: `features` is the last hidden state [batch, seq, hidden] → [batch, seq, numLabels].
 */
export function classifierHead(params: { param: ParamLookup; config: BertConfig; features: tf.Tensor; dropout: DropoutStream }): tf.Tensor {
  const { param, config, features, dropout } = params;
  return linear(dropout.apply(features, classifierDropoutRate(config)), param('classifier.weight'), param('classifier.bias'));
}

import * as tf from '@tensorflow/tfjs';
import { gelu, layerNorm as fusedOrOpsLayerNorm, SeededRng } from '@koenbert/tensor-utils';
import type { HiddenAct } from './bert-config';

/** torch.nn.Linear: x · Wᵀ + b with W stored [out, in] (no copy: the matmul reads W transposed). */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const inFeatures = x.shape[x.rank - 1];
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inFeatures]) as tf.Tensor2D;
  const y = tf.add(tf.matMul(flat, weight as tf.Tensor2D, false, true), bias);
  return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), weight.shape[0]]);
}

/** torch.nn.LayerNorm over the last axis (biased variance, eps inside the square root); fused on wasm. */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  return fusedOrOpsLayerNorm(x, weight, bias, eps);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** transformers' ACT2FN for the activations BERT checkpoints use. */
export function activation(x: tf.Tensor, act: HiddenAct): tf.Tensor {
  switch (act) {
    case 'gelu': // exact GELU: x · Φ(x) = 0.5 x (1 + erf(x / √2)); one fused kernel each way on wasm
      return gelu(x);
    case 'gelu_new': // tanh approximation (GPT-2 / original BERT TF code)
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI)), 1));
    case 'relu':
      return tf.relu(x);
  }
}

/**
 * Inverted dropout with reproducible masks: each call draws its own seed from a SeededRng, so the same
 * stream seed gives the same masks in the same order. Disabled (identity) when not training or rate is 0.
 */
export class DropoutStream {
  private readonly rng: SeededRng | undefined;

  constructor(params: { training: boolean; seed: number }) {
    this.rng = params.training ? new SeededRng(params.seed) : undefined;
  }

  apply(x: tf.Tensor, rate: number): tf.Tensor {
    if (!this.rng || rate === 0) return x;
    return tf.dropout(x, rate, undefined, this.rng.nextUint32());
  }
}

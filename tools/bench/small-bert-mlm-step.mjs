// The small-BERT MLM training step both tools/bench/bench-train-step.mjs and profile-train-step-kernels.mjs measure
// (and bench_train_step_torch.py mirrors): vocab 8000, hidden 256, 4 layers, 4 heads, FFN 1024, seq 128, batch 8,
// one fixed random batch with 15 % of the tokens masked, dropout on, AdamW + global-norm clipping.
import * as tf from '@tensorflow/tfjs';
import { AdamW, SeededRng, clipByGlobalNorm } from '@koenbert/tensor-utils';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';

export const SMALL_BERT = { vocab: 8000, seq: 128, batch: 8, maskId: 4 };

/** Call after initBackend. `step(seed)` runs one optimizer step and returns its loss; `dispose()` frees the model. */
export function createSmallBertMlmStep() {
  const { vocab, seq, batch, maskId } = SMALL_BERT;
  const config = parseBertConfig({ vocab_size: vocab, hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, max_position_embeddings: 512 });
  const model = BertModel.create({ config, task: 'masked-lm', seed: 0 });
  const params = model.trainableParams();
  const optimizer = new AdamW({ lr: 1e-4, weightDecay: 0.01 });
  const rng = new SeededRng(1);
  const ids = [];
  const labels = [];
  for (let i = 0; i < batch * seq; i++) {
    const token = 5 + rng.int(vocab - 5);
    const masked = rng.nextFloat() < 0.15;
    ids.push(masked ? maskId : token);
    labels.push(masked ? token : -100);
  }
  const inputIds = tf.tensor2d(ids, [batch, seq], 'int32');
  const attentionMask = tf.ones([batch, seq], 'int32');
  const labelTensor = tf.tensor2d(labels, [batch, seq], 'int32');

  const step = (seed) => {
    const { loss, grads } = model.valueAndGrads(() =>
      crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, training: true, seed }).logits, labels: labelTensor }),
    );
    const clipped = clipByGlobalNorm(grads, 1.0);
    optimizer.applyGradients(params, clipped.grads);
    const value = loss.dataSync()[0];
    tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
    return value;
  };
  const dispose = () => {
    tf.dispose([inputIds, attentionMask, labelTensor]);
    optimizer.dispose();
    model.dispose();
  };
  return { step, dispose };
}

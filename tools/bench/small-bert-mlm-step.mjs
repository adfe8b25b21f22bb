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

/** 2·m·k·n·batch of a profiled BatchMatMul from its shapes (k = size of a's last two dims / m, whichever is transposed). */
function matMulFlop(kernel) {
  const [a] = kernel.inputShapes;
  const out = kernel.outputShapes[0];
  const [m, n] = out.slice(-2);
  const k = (a.at(-1) * a.at(-2)) / m;
  return 2 * m * k * n * out.slice(0, -2).reduce((p, d) => p * d, 1);
}

/**
 * One step under tf.profile, kernel by kernel: `byName` (name → { ms, calls }, slowest first), `totalMs` (sum of kernel
 * times), `matMulMs` and `matMulFlops` (BatchMatMul only), `wallMs`.
 */
export async function profileStep(step, seed) {
  const start = performance.now();
  const profile = await tf.profile(() => step(seed));
  const wallMs = performance.now() - start;
  const byName = new Map();
  let matMulFlops = 0;
  for (const kernel of profile.kernels) {
    const entry = byName.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += kernel.kernelTimeMs;
    entry.calls += 1;
    byName.set(kernel.name, entry);
    if (kernel.name === 'BatchMatMul') matMulFlops += matMulFlop(kernel);
  }
  const sorted = new Map([...byName].sort((x, y) => y[1].ms - x[1].ms));
  const totalMs = [...sorted.values()].reduce((sum, entry) => sum + entry.ms, 0);
  return { byName: sorted, totalMs, matMulMs: sorted.get('BatchMatMul')?.ms ?? 0, matMulFlops, wallMs, calls: profile.kernels.length };
}

import * as tf from '@tensorflow/tfjs';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';
import { initBackend, SeededRng } from '@koenbert/tensor-utils';
import { maskTokens, type MaskedTokens } from '../src';
import { padBatch, type IdBatch } from '../src/lib/pretrain/mlm-batches';
import { mlmGrads } from '../src/lib/pretrain/mlm-grads';

// mlmGrads decodes the masked rows only; the reference is the computation it replaced: logits at every position,
// cross-entropy with label −100 (ignored) at the unmasked ones. Same model, same dropout seed, same batch.
const VOCAB = 311;
const PAD = 0;
const CLS = 2;
const SEP = 3;
const MASK = 4;
const SPECIAL_IDS = new Set([PAD, 1, CLS, SEP, MASK]);

// Tolerances (float32). The loss: the masked rows' logits come from the same per-row products either way; only the
// order of the mean's sum differs → relative 1e-6 (measured ≤ 8.3e-8 on wasm, 1 and 2 threads). Gradients: the
// weight gradients sum over all rows (the unmasked ones contribute zeros) against over the gathered rows → per weight
// max |Δ| ≤ 1e-5 · max |g| + 1e-9, room for a kernel that blocks those sums differently (measured: bit-identical on
// wasm, 1 and 2 threads; a dropped masked position moves the head's gradients by 0.34–0.46 · max |g|, see the last test).
const LOSS_RTOL = 1e-6;
const GRAD_RTOL = 1e-5;
const GRAD_ATOL = 1e-9;

function referenceGrads(params: { model: BertModel; batch: IdBatch; masked: MaskedTokens; dropoutSeed?: number }): { loss: number; grads: Map<string, tf.Tensor> } {
  const { model, batch, masked } = params;
  const shape: [number, number] = [batch.batchSize, batch.seqLength];
  const inputIds = tf.tensor2d(masked.inputIds, shape, 'int32');
  const attentionMask = tf.tensor2d(batch.attentionMask, shape, 'int32');
  const labels = tf.tensor2d(masked.labels, shape, 'int32');
  const { loss, grads } = model.valueAndGrads(() => {
    const output = model.forward({ inputIds, attentionMask, training: params.dropoutSeed !== undefined, seed: params.dropoutSeed });
    return crossEntropyLoss({ logits: output.logits!, labels });
  });
  const value = loss.dataSync()[0];
  tf.dispose([loss, inputIds, attentionMask, labels]);
  return { loss: value, grads };
}

/** Sequences of random ordinary ids between [CLS] and [SEP], of different lengths (so the batch has padding). */
function randomBatch(rng: SeededRng, lengths: number[]): IdBatch {
  return padBatch(
    lengths.map((length) => [CLS, ...Array.from({ length: length - 2 }, () => 5 + rng.int(VOCAB - 5)), SEP]),
    PAD,
  );
}

function maxAbs(values: Float32Array): number {
  let worst = 0;
  for (const v of values) worst = Math.max(worst, Math.abs(v));
  return worst;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

let model: BertModel;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  const config = parseBertConfig({
    vocab_size: VOCAB,
    hidden_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 64,
    max_position_embeddings: 64,
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
  });
  model = BertModel.create({ config, task: 'masked-lm', seed: 7 });
});
afterAll(() => model.dispose());

describe.each([
  { name: '15 % masked, dropout on', probability: 0.15, dropoutSeed: 12345 as number | undefined, seed: 1 },
  { name: '60 % masked, dropout off', probability: 0.6, dropoutSeed: undefined, seed: 2 },
  { name: 'one masked token', probability: 0, dropoutSeed: 99 as number | undefined, seed: 3 },
])('mlmGrads ($name) against decoding every position', ({ probability, dropoutSeed, seed }) => {
  it('gives the same loss and the same gradient for every weight; no tensors leak', () => {
    const rng = new SeededRng(seed);
    const batch = randomBatch(rng, [40, 33, 40, 17]);
    const masked = maskTokens({ ids: batch.ids, specialIds: SPECIAL_IDS, vocabSize: VOCAB, maskId: MASK, rng, probability, maskRatio: 0.8, randomRatio: 0.1 });
    expect(masked.positions.length).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    const fast = mlmGrads({ model, batch, masked, dropoutSeed });
    expect(tf.memory().numTensors).toBe(before + fast.grads.size);
    const reference = referenceGrads({ model, batch, masked, dropoutSeed });

    expect(Number.isFinite(fast.loss)).toBe(true);
    expect(Math.abs(fast.loss - reference.loss)).toBeLessThanOrEqual(LOSS_RTOL * Math.abs(reference.loss));
    // every weight gets a gradient on both paths (the gather does not cut the encoder off)
    expect([...fast.grads.keys()].sort()).toEqual([...model.params.keys()].sort());
    expect([...reference.grads.keys()].sort()).toEqual([...fast.grads.keys()].sort());
    for (const [name, grad] of reference.grads) {
      const expected = grad.dataSync() as Float32Array;
      const actual = fast.grads.get(name)!.dataSync() as Float32Array;
      expect(fast.grads.get(name)!.shape).toEqual(grad.shape);
      const scale = maxAbs(expected);
      const diff = maxAbsDiff(actual, expected);
      if (!(diff <= GRAD_RTOL * scale + GRAD_ATOL)) throw new Error(`${name}: max |Δ| ${diff} > ${GRAD_RTOL} · ${scale} + ${GRAD_ATOL}`);
    }
    tf.dispose([...fast.grads.values(), ...reference.grads.values()]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

it('the checks can fail: with one masked position dropped, the loss and every head gradient move beyond the tolerances', () => {
  const rng = new SeededRng(4);
  const batch = randomBatch(rng, [40, 40]);
  const masked = maskTokens({ ids: batch.ids, specialIds: SPECIAL_IDS, vocabSize: VOCAB, maskId: MASK, rng, probability: 0.15, maskRatio: 0.8, randomRatio: 0.1 });
  const dropped: MaskedTokens = { ...masked, positions: masked.positions.subarray(1), targets: masked.targets.subarray(1) };
  const fast = mlmGrads({ model, batch, masked: dropped });
  const reference = referenceGrads({ model, batch, masked });
  // a random model predicts every token at about ln(vocab), so the loss moves little (measured 2.9e-4 relative) …
  expect(Math.abs(fast.loss - reference.loss)).toBeGreaterThan(100 * LOSS_RTOL * Math.abs(reference.loss));
  // … while the gradients move by a third or more of their scale (measured 0.34–0.46 · max |g|)
  for (const name of ['cls.predictions.bias', 'cls.predictions.transform.dense.weight', 'bert.embeddings.word_embeddings.weight']) {
    const expected = reference.grads.get(name)!.dataSync() as Float32Array;
    const diff = maxAbsDiff(fast.grads.get(name)!.dataSync() as Float32Array, expected);
    expect(diff).toBeGreaterThan(1000 * (GRAD_RTOL * maxAbs(expected) + GRAD_ATOL));
  }
  tf.dispose([...fast.grads.values(), ...reference.grads.values()]);
});

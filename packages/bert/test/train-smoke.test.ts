import * as tf from '@tensorflow/tfjs';
import { AdamW, SeededRng, clipByGlobalNorm, initBackend, linearWarmupDecay } from '@koenbert/tensor-utils';
import { BertModel, crossEntropyLoss, parseBertConfig } from '@koenbert/bert';

// A small BERT learns masked-token prediction on wasm: 50 AdamW steps on one fixed batch of patterned sequences.
const STEPS = 50;
const BATCH = 8;
const SEQ = 32;
const VOCAB = 1000;
const MASK_ID = 4;
// The stated bound: the mean loss of the last 5 steps is below half the mean of the first 5.
const REQUIRED_FACTOR = 0.5;

/** Sequences with structure to learn (each token is the previous one + a per-row stride, mod the vocab), 15 % masked. */
function makeBatch(rng: SeededRng): { ids: number[][]; labels: number[][]; mask: number[][] } {
  const ids: number[][] = [];
  const labels: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < BATCH; b++) {
    const length = SEQ - (b % 3) * 4; // some padding
    const stride = 1 + rng.int(7);
    let token = 5 + rng.int(VOCAB - 5);
    const row: number[] = [2];
    for (let i = 1; i < length; i++) {
      row.push(token);
      token = 5 + ((token - 5 + stride) % (VOCAB - 5));
    }
    const rowLabels = row.map(() => -100);
    for (let i = 1; i < length; i++) {
      if (rng.nextFloat() < 0.15) {
        rowLabels[i] = row[i];
        row[i] = MASK_ID;
      }
    }
    ids.push([...row, ...new Array(SEQ - length).fill(0)]);
    labels.push([...rowLabels, ...new Array(SEQ - length).fill(-100)]);
    mask.push([...new Array(length).fill(1), ...new Array(SEQ - length).fill(0)]);
  }
  return { ids, labels, mask };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

it(`masked-lm trains ${STEPS} steps on wasm: loss finite and falling, every weight changes, tensor count stable`, () => {
  const config = parseBertConfig({
    vocab_size: VOCAB,
    hidden_size: 64,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 128,
    max_position_embeddings: 64,
  });
  const model = BertModel.create({ config, task: 'masked-lm', seed: 1 });
  const params = model.trainableParams();
  const initial = new Map([...params].map(([name, variable]) => [name, Float32Array.from(variable.dataSync() as Float32Array)]));
  const optimizer = new AdamW({ lr: 2e-3, weightDecay: 0.01 });
  const data = makeBatch(new SeededRng(42));
  const inputIds = tf.tensor2d(data.ids, [BATCH, SEQ], 'int32');
  const attentionMask = tf.tensor2d(data.mask, [BATCH, SEQ], 'int32');
  const labels = tf.tensor2d(data.labels, [BATCH, SEQ], 'int32');

  const losses: number[] = [];
  const tensorCounts: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { loss, grads } = model.valueAndGrads(() =>
      crossEntropyLoss({ logits: model.forward({ inputIds, attentionMask, training: true, seed: step }).logits!, labels }),
    );
    expect(grads.size).toBe(params.size); // every parameter is reached by the loss
    const clipped = clipByGlobalNorm(grads, 1.0);
    optimizer.applyGradients(params, clipped.grads, linearWarmupDecay({ step, peakLr: 2e-3, warmupSteps: 5, totalSteps: STEPS }));
    losses.push(loss.dataSync()[0]);
    tf.dispose([loss, ...grads.values(), ...clipped.grads.values()]);
    tensorCounts.push(tf.memory().numTensors);
  }

  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[0]).toBeGreaterThan(Math.log(VOCAB) - 0.5); // starts near chance
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const first = mean(losses.slice(0, 5));
  const last = mean(losses.slice(-5));
  // eslint-disable-next-line no-console
  console.log(`train smoke: loss ${first.toFixed(3)} (first 5) → ${last.toFixed(3)} (last 5), factor ${(last / first).toFixed(3)}`);
  expect(last).toBeLessThan(REQUIRED_FACTOR * first);
  // after the first step (the optimizer creates its moments) the count never moves
  expect(new Set(tensorCounts.slice(1))).toEqual(new Set([tensorCounts[1]]));
  for (const [name, variable] of params) {
    const now = variable.dataSync();
    const before = initial.get(name)!;
    expect({ name, changed: now.some((v, i) => v !== before[i]) }).toEqual({ name, changed: true });
  }
  tf.dispose([inputIds, attentionMask, labels]);
  optimizer.dispose();
  model.dispose();
});

import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { BertModel, parseBertConfig } from '@koenbert/bert';

// forward({ logitPositions }) runs the MLM head on the gathered rows only; its logits must be the rows of the
// every-position logits at those flat positions. Both come from the same per-row products, so the stated bound,
// max |Δ| ≤ 1e-6 · max |logit|, is float32 rounding room (measured: equal).
const CONFIG = parseBertConfig({
  vocab_size: 97,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 32,
  max_position_embeddings: 16,
});

let model: BertModel;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  model = BertModel.create({ config: CONFIG, task: 'masked-lm', seed: 5 });
});
afterAll(() => model.dispose());

it('logitPositions gives the every-position logits at those flat positions, [m, vocab]; no leaks', () => {
  const inputIds = tf.tensor2d([[2, 10, 4, 12, 3, 0], [2, 4, 21, 22, 23, 3]], [2, 6], 'int32');
  const attentionMask = tf.tensor2d([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]], [2, 6], 'int32');
  const flat = [2, 7, 10, 3]; // unsorted, across both rows
  const positions = tf.tensor1d(flat, 'int32');
  const before = tf.memory().numTensors;
  const every = model.forward({ inputIds, attentionMask });
  const all = every.logits!;
  const some = model.forward({ inputIds, attentionMask, logitPositions: positions });
  expect(all.shape).toEqual([2, 6, 97]);
  expect(some.logits!.shape).toEqual([flat.length, 97]);
  const full = all.dataSync();
  const picked = some.logits!.dataSync();
  let worst = 0;
  let scale = 0;
  flat.forEach((position, row) => {
    for (let v = 0; v < 97; v++) {
      worst = Math.max(worst, Math.abs(picked[row * 97 + v] - full[position * 97 + v]));
      scale = Math.max(scale, Math.abs(full[position * 97 + v]));
    }
  });
  expect(scale).toBeGreaterThan(0);
  expect(worst).toBeLessThanOrEqual(1e-6 * scale);
  tf.dispose([every, some] as unknown as tf.TensorContainer);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([inputIds, attentionMask, positions]);
});

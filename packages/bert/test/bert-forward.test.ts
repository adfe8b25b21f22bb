import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@koenbert/tensor-utils';
import { BertModel, crossEntropyLoss, mseLoss, parseBertConfig } from '@koenbert/bert';

const CONFIG = parseBertConfig({
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 32,
  max_position_embeddings: 8,
  hidden_dropout_prob: 0.2,
  attention_probs_dropout_prob: 0.2,
});

let model: BertModel;
let inputIds: tf.Tensor2D;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  model = BertModel.create({ config: CONFIG, task: 'sequence-classification', numLabels: 3, seed: 4 });
  inputIds = tf.tensor2d([[2, 10, 11, 12, 3], [2, 20, 21, 3, 0]], [2, 5], 'int32');
});
afterAll(() => {
  model.dispose();
  inputIds.dispose();
});

function run(params: Parameters<BertModel['forward']>[0]): number[] {
  const out = model.forward(params);
  const values = Array.from(out.lastHiddenState.dataSync());
  tf.dispose(out as unknown as tf.TensorContainer);
  return values;
}

describe('dropout in training mode', () => {
  it('is reproducible per seed, differs between seeds and from eval mode; eval is deterministic', () => {
    const evalA = run({ inputIds });
    expect(run({ inputIds, seed: 99 })).toEqual(evalA); // the seed only matters in training
    const trainA = run({ inputIds, training: true, seed: 1 });
    expect(run({ inputIds, training: true, seed: 1 })).toEqual(trainA);
    expect(run({ inputIds, training: true, seed: 2 })).not.toEqual(trainA);
    expect(trainA).not.toEqual(evalA);
    // without a seed the model's own stream advances: two calls differ
    expect(run({ inputIds, training: true })).not.toEqual(run({ inputIds, training: true }));
  });
});

describe('attention mask', () => {
  it('padding does not change the real tokens, and a fully masked row stays finite', () => {
    const short = tf.tensor2d([[2, 20, 21, 3]], [1, 4], 'int32');
    const padded = tf.tensor2d([[2, 20, 21, 3, 7, 8]], [1, 6], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 0, 0]], [1, 6], 'int32');
    const alone = run({ inputIds: short });
    const withPadding = run({ inputIds: padded, attentionMask: mask }).slice(0, 4 * 16);
    withPadding.forEach((v, i) => expect(Math.abs(v - alone[i])).toBeLessThan(1e-5));
    const none = run({ inputIds: padded, attentionMask: tf.zeros([1, 6], 'int32') as tf.Tensor2D });
    expect(none.every(Number.isFinite)).toBe(true);
    tf.dispose([short, padded, mask]);
  });

  it('token types change the output', () => {
    const types = tf.tensor2d([[0, 0, 1, 1, 1], [0, 1, 1, 1, 0]], [2, 5], 'int32');
    expect(run({ inputIds, tokenTypeIds: types })).not.toEqual(run({ inputIds }));
    types.dispose();
  });
});

describe('input checks', () => {
  it.each([
    ['input id 50 is outside [0, 50) (vocab_size)', () => ({ inputIds: tf.tensor2d([[2, 50]], [1, 2], 'int32') })],
    ['inputIds must be an int32 [batch, seq] tensor', () => ({ inputIds: tf.tensor2d([[2, 5]], [1, 2], 'float32') })],
    ['sequence length 9 exceeds max_position_embeddings (8)', () => ({ inputIds: tf.zeros([1, 9], 'int32') })],
    ['attentionMask has shape [1,4], inputIds [1,3]', () => ({ inputIds: tf.zeros([1, 3], 'int32'), attentionMask: tf.ones([1, 4], 'int32') })],
    ['token type id 2 is outside [0, 2) (type_vocab_size)', () => ({ inputIds: tf.zeros([1, 3], 'int32'), tokenTypeIds: tf.fill([1, 3], 2, 'int32') })],
    ['outputQkvLayers: 2 is not a layer index in [0, 1]', () => ({ inputIds: tf.zeros([1, 3], 'int32'), outputQkvLayers: [2] })],
  ])('%s', (message, make) => {
    const params = make() as Parameters<BertModel['forward']>[0];
    const before = tf.memory().numTensors;
    expect(() => model.forward(params)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(params as unknown as tf.TensorContainer);
  });
});

describe('losses', () => {
  it('crossEntropyLoss averages −log softmax over the labelled positions only', () => {
    const logits = tf.tensor3d([[[1, 2, 3], [0, 0, 0], [5, -1, 0]]]);
    const labels = tf.tensor2d([[2, -100, 0]], [1, 3], 'int32');
    const loss = crossEntropyLoss({ logits, labels });
    const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
    const expected = (lse([1, 2, 3]) - 3 + (lse([5, -1, 0]) - 5)) / 2;
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    const none = crossEntropyLoss({ logits, labels: tf.fill([1, 3], -100, 'int32') });
    expect(none.dataSync()[0]).toBe(0);
    expect(() => crossEntropyLoss({ logits, labels: tf.zeros([1, 2], 'int32') })).toThrow('3 rows of logits');
    tf.dispose([logits, labels, loss, none]);
  });

  it('crossEntropyLoss has the gradient (softmax − onehot) / labelled rows, zero on ignored rows', () => {
    const rows = [[1, 2, 3], [0, 0, 0], [5, -1, 0], [0.5, -2, 1]];
    const labelRow = [2, -100, 0, 1];
    const logits = tf.tensor2d(rows);
    const labels = tf.tensor1d(labelRow, 'int32');
    const grad = tf.grad((x: tf.Tensor) => crossEntropyLoss({ logits: x, labels }))(logits);
    const expected = rows.map((row, r) => {
      if (labelRow[r] < 0) return row.map(() => 0);
      const z = row.reduce((s, x) => s + Math.exp(x), 0);
      return row.map((x, c) => (Math.exp(x) / z - (c === labelRow[r] ? 1 : 0)) / 3);
    });
    const got = grad.arraySync() as number[][];
    got.flat().forEach((value, i) => expect(value).toBeCloseTo(expected.flat()[i], 6));
    tf.dispose([logits, labels, grad]);
  });

  it("crossEntropyLoss kernel 'one-hot' is the same loss and gradient as the default, to rounding", () => {
    const rows = [[1, 2, 3], [0, 0, 0], [5, -1, 0], [0.5, -2, 1], [-3, 4, 0.25]];
    const logits = tf.tensor2d(rows);
    const labels = tf.tensor1d([2, -100, 0, 1, 1], 'int32');
    const results = Object.fromEntries(
      (['sparse', 'one-hot'] as const).map((kernel) => {
        const loss = crossEntropyLoss({ logits, labels, kernel });
        const grad = tf.grad((x: tf.Tensor) => crossEntropyLoss({ logits: x, labels, kernel }))(logits);
        const result = { loss: loss.dataSync()[0], grad: Array.from(grad.dataSync()) };
        tf.dispose([loss, grad]);
        return [kernel, result];
      }),
    );
    expect(results['one-hot'].loss).toBeCloseTo(results.sparse.loss, 6);
    results['one-hot'].grad.forEach((value, i) => expect(value).toBeCloseTo(results.sparse.grad[i], 6));
    expect(results['one-hot'].grad.slice(3, 6).map(Math.abs)).toEqual([0, 0, 0]); // the ignored row
    const none = crossEntropyLoss({ logits, labels: tf.fill([5], -100, 'int32'), kernel: 'one-hot' });
    expect(none.dataSync()[0]).toBe(0);
    tf.dispose([logits, labels, none]);
  });

  it('mseLoss is the mean squared error', () => {
    const loss = mseLoss({ predictions: tf.tensor2d([[1], [2]]), targets: tf.tensor1d([0, 4]) });
    expect(loss.dataSync()[0]).toBeCloseTo((1 + 4) / 2, 6);
    loss.dispose();
  });
});

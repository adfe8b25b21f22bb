import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { SeededRng } from '../src/lib/seeded-rng';
import { sparseSoftmaxCrossEntropy } from '../src/lib/sparse-softmax-cross-entropy';
import { XENT_GRAD, XENT_ROW_STATS } from '../src/lib/wasm-kernels/softmax-cross-entropy';
import { EPS32, liveCounts, randomNormal, worstRatio } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  await initBackend({ backend: 'wasm' });
});

/** Float64 mean cross-entropy and its gradient (softmax − one-hot) / kept rows; negative targets skip the row. */
function reference(logits: Float32Array, targets: number[], classes: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(logits.length);
  const kept = Math.max(1, targets.filter((t) => t >= 0).length);
  let loss = 0;
  targets.forEach((target, r) => {
    if (target < 0) return;
    const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
    loss += (lse - row[target]) / kept;
    row.forEach((x, j) => (grad[r * classes + j] = (Math.exp(x - lse) - (j === target ? 1 : 0)) / kept));
  });
  return { loss, grad };
}

describe('sparseSoftmaxCrossEntropy (fused kernels on wasm, tf ops elsewhere)', () => {
  it('uses the fused kernels on wasm only', () => {
    expect(tf.getKernel(XENT_ROW_STATS, 'wasm')).toBeDefined();
    expect(tf.getKernel(XENT_GRAD, 'wasm')).toBeDefined();
    expect(tf.getKernel(XENT_ROW_STATS, 'cpu')).toBeUndefined();
  });

  // 1003 classes (vector tails), logits up to ±24 (the max shift matters), ignored rows, a 3× scaled upstream gradient.
  it.each(['wasm', 'cpu'])('on %s: loss and gradient agree with float64', async (backend) => {
    const rows = 37;
    const classes = 1003;
    const rng = new SeededRng(9);
    const logits = randomNormal(rng, [rows, classes]);
    logits.values.forEach((v, i) => (logits.values[i] = 6 * v));
    const targets = Array.from({ length: rows }, (_, r) => (r % 5 === 0 ? -100 : rng.int(classes)));
    await tf.setBackend(backend);
    const before = liveCounts();
    const [loss, grad] = tf.tidy(() => {
      const x = tf.tensor2d(logits.values, [rows, classes]);
      const t = tf.tensor1d(targets, 'int32');
      const g = tf.grad((input: tf.Tensor) => tf.mul(sparseSoftmaxCrossEntropy(input as tf.Tensor2D, t), 3))(x);
      return [sparseSoftmaxCrossEntropy(x, t).dataSync()[0], g.dataSync()];
    });
    expect(liveCounts()).toEqual(before);
    const expected = reference(logits.values, targets, classes);
    // float32 log-sum-exp over 1003 terms of values up to ~30: a few hundred ε of the loss
    expect(Math.abs(loss - expected.loss)).toBeLessThanOrEqual(1e3 * EPS32 * expected.loss);
    const scaled = Array.from(expected.grad, (g) => 3 * g);
    const bound = scaled.map((g) => 64 * EPS32 * (Math.abs(g) + 3 / rows));
    expect(worstRatio({ actual: grad, expected: scaled, bound })).toBeLessThanOrEqual(1);
    // ignored rows get no gradient
    expect(Array.from(grad.subarray(0, classes)).every((g) => g === 0)).toBe(true);
    await tf.setBackend('wasm');
  });

  it('is 0 with every row ignored, and a target outside the classes is a one-line error', () => {
    const zero = tf.tidy(() => sparseSoftmaxCrossEntropy(tf.ones([2, 3]) as tf.Tensor2D, tf.tensor1d([-1, -100], 'int32')).dataSync()[0]);
    expect(zero).toBe(0);
    expect(() => tf.tidy(() => sparseSoftmaxCrossEntropy(tf.ones([2, 3]) as tf.Tensor2D, tf.tensor1d([0, 3], 'int32')))).toThrow(
      'sparseSoftmaxCrossEntropy: target 3 is not a class of logits [2,3] (0 to 2, or negative to ignore the row)',
    );
  });
});

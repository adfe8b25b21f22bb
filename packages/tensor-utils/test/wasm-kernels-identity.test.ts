import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { liveCounts } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('Identity (project kernel on wasm) shares the buffer instead of copying it', () => {
  it('clone adds a tensor but no wasm buffer; the values outlive the original; the last dispose frees the buffer', () => {
    const before = liveCounts();
    const original = tf.tensor2d([[1.5, -2], [3, 4.25]]);
    const copy = original.clone();
    expect(liveCounts()).toEqual({ tensors: before.tensors + 2, buffers: before.buffers + 1 });
    original.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3, 4.25]);
    copy.dispose();
    expect(liveCounts()).toEqual(before);
  });

  it('gradients through a tape of 20 ops (every saved input a shared clone) are right and leave nothing behind', () => {
    const x = tf.randomNormal([64, 64]);
    const f = (t: tf.Tensor) => Array.from({ length: 20 }).reduce<tf.Tensor>((acc) => tf.tanh(tf.mul(acc, 0.9)), t).sum();
    const before = liveCounts();
    const grad = tf.grad(f)(x);
    // d/dx of tanh chains, checked against a central difference on one element
    const eps = 1e-2;
    const bump = (delta: number) => tf.tidy(() => f(tf.add(x, tf.mul(tf.oneHot(tf.tensor1d([5], 'int32'), 64 * 64).reshape([64, 64]).cast('float32'), delta))).dataSync()[0]);
    const numeric = (bump(eps) - bump(-eps)) / (2 * eps);
    expect(grad.dataSync()[5]).toBeCloseTo(numeric, 2);
    expect(liveCounts()).toEqual({ tensors: before.tensors + 1, buffers: before.buffers + 1 });
    tf.dispose([x, grad]);
  });
});

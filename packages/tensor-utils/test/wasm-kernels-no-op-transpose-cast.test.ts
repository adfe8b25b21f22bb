import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/init-backend';
import { isNoOpPermutation } from '../src/lib/wasm-kernels/no-op-transpose-cast';
import { liveCounts } from './kernel-test-utils';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('Transpose and Cast (project kernels on wasm): no-op cases share the buffer, the rest are the stock kernels', () => {
  it('isNoOpPermutation: only dimensions larger than 1 must keep their order', () => {
    expect(isNoOpPermutation([4, 5], [0, 1])).toBe(true);
    expect(isNoOpPermutation([4, 5], [1, 0])).toBe(false);
    expect(isNoOpPermutation([1, 4, 5], [1, 0, 2])).toBe(true);
    expect(isNoOpPermutation([4, 1, 5], [2, 1, 0])).toBe(false);
    expect(isNoOpPermutation([4, 1, 5], [0, 2, 1])).toBe(true);
  });

  it('an identity permutation and a same-dtype cast add no buffer and keep the values and shape', () => {
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const before = liveCounts();
    const t = tf.transpose(x, [1, 0, 2]);
    const c = tf.cast(x, 'float32');
    expect(liveCounts()).toEqual({ tensors: before.tensors + 2, buffers: before.buffers });
    expect(t.shape).toEqual([2, 1, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, t, c]);
  });

  it('a real permutation and a dtype change still compute (stock kernels), with a new buffer each', () => {
    const x = tf.tensor2d([1.5, 2, 3, 4, 5, 6], [2, 3]);
    const before = liveCounts();
    const t = tf.transpose(x);
    const c = tf.cast(x, 'int32');
    expect(liveCounts()).toEqual({ tensors: before.tensors + 2, buffers: before.buffers + 2 });
    expect(t.arraySync()).toEqual([[1.5, 4], [2, 5], [3, 6]]);
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, t, c]);
  });
});

import type * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from './wasm-internals';

/**
 * A new tensor info on x's buffer (one more reference; the buffer is freed with its last tensor). Tensors are
 * immutable, so an output equal to an input — a clone, an identity permutation, a cast to the same dtype — needs no copy.
 */
export function shareBuffer(backend: unknown, x: tf.TensorInfo, shape: number[] = x.shape): tf.TensorInfo {
  asWasmBackend(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

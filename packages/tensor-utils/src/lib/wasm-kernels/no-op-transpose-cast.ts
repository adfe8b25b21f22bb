import * as tf from '@tensorflow/tfjs';
import { shareBuffer } from './share-buffer';
import { runStockKernel } from './stock-kernels';
import type { KernelArgs } from './wasm-internals';

// Transpose and Cast for the wasm backend: when the output would equal the input (a permutation that keeps the order
// of every dimension larger than 1; a cast to the input's own dtype) the buffer is shared, where the stock kernels
// copy it; every other case goes to the stock kernel. tf.gather's gradient ends with such a transpose, and gradient
// accumulation with such a cast, of the whole embedding matrix: two 120 MB copies at the memory peak of a
// distillation step with a 77 780-row vocabulary.

/** True when permuting `shape` by `perm` leaves the elements in the same memory order. */
export function isNoOpPermutation(shape: number[], perm: number[]): boolean {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  return kept.every((axis, i) => i === 0 || kept[i - 1] < axis);
}

export function transpose(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  const perm = args.attrs?.perm as number[];
  if (!isNoOpPermutation(x.shape, perm)) return runStockKernel(tf.Transpose, args);
  return shareBuffer(args.backend, x, perm.map((axis) => x.shape[axis]));
}

export function cast(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  if (args.attrs?.dtype !== x.dtype) return runStockKernel(tf.Cast, args);
  return shareBuffer(args.backend, x);
}

export const transposeConfig: tf.KernelConfig = { kernelName: tf.Transpose, backendName: 'wasm', kernelFunc: transpose as unknown as tf.KernelFunc };
export const castConfig: tf.KernelConfig = { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: cast as unknown as tf.KernelFunc };

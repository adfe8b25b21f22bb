import * as tf from '@tensorflow/tfjs';
import { shareBuffer } from './share-buffer';
import type { KernelArgs } from './wasm-internals';

/**
 * Identity for the wasm backend that shares the input's buffer instead of copying it, as the cpu and webgl backends
 * do. It matters for training: tfjs clones every tensor an op saves for its gradient (`tensor.clone()` → Identity), so
 * with the stock copying kernel a forward pass under a gradient tape holds two copies of every saved activation.
 */
export function identity(args: KernelArgs<'x'>): tf.TensorInfo {
  return shareBuffer(args.backend, args.inputs.x);
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};

import * as tf from '@tensorflow/tfjs';
import { elementwiseOnHeap } from './koenbert-wasm/elementwise-on-heap';
import { runStockKernel } from './stock-kernels';
import { asWasmBackend, type KernelArgs } from './wasm-internals';

/**
 * Exp for the wasm backend: float32 through koenbert's SIMD exp (csrc/exp.c, 4 lanes at a time, within 2 ulp, split
 * over the worker threads for big tensors); other dtypes go to the stock kernel (the C library's expf, one element at
 * a time: ~130 ms for the 8M logits of one small-BERT MLM step).
 */
export function exp(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return runStockKernel(tf.Exp, args);
  return elementwiseOnHeap({ backend: asWasmBackend(args.backend), fn: 'exp_f32', inputs: [x] });
}

export const expConfig: tf.KernelConfig = { kernelName: tf.Exp, backendName: 'wasm', kernelFunc: exp as unknown as tf.KernelFunc };

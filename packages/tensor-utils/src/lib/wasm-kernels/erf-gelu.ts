import * as tf from '@tensorflow/tfjs';
import { elementwiseOnHeap } from './koenbert-wasm/elementwise-on-heap';
import { runStockKernel } from './stock-kernels';
import { asWasmBackend, type KernelArgs } from './wasm-internals';

/** Project kernels (wasm only) behind the `gelu` op: forward x·Φ(x), and dy·(Φ(x) + x·φ(x)). */
export const GELU = 'KoenbertGelu';
export const GELU_GRAD = 'KoenbertGeluGrad';

/** Erf for the wasm backend: float32 through csrc/erf_gelu.c (within 3 ulp); other dtypes: the stock kernel. */
export function erf(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return runStockKernel(tf.Erf, args);
  return elementwiseOnHeap({ backend: asWasmBackend(args.backend), fn: 'erf_f32', inputs: [x] });
}

export function geluKernel(args: KernelArgs<'x'>): tf.TensorInfo {
  return elementwiseOnHeap({ backend: asWasmBackend(args.backend), fn: 'gelu_f32', inputs: [args.inputs.x] });
}

export function geluGradKernel(args: KernelArgs<'x' | 'dy'>): tf.TensorInfo {
  return elementwiseOnHeap({ backend: asWasmBackend(args.backend), fn: 'gelu_grad_f32', inputs: [args.inputs.x, args.inputs.dy] });
}

export const erfConfig: tf.KernelConfig = { kernelName: tf.Erf, backendName: 'wasm', kernelFunc: erf as unknown as tf.KernelFunc };
export const geluConfig: tf.KernelConfig = { kernelName: GELU, backendName: 'wasm', kernelFunc: geluKernel as unknown as tf.KernelFunc };
export const geluGradConfig: tf.KernelConfig = { kernelName: GELU_GRAD, backendName: 'wasm', kernelFunc: geluGradKernel as unknown as tf.KernelFunc };

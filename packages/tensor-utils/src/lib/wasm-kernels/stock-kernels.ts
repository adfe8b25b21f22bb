import type * as tf from '@tensorflow/tfjs';

/** The wasm backend's own kernels that registerWasmKernels replaced, by kernel name. */
export const stockKernels = new Map<string, tf.KernelConfig>();

/** Runs the replaced stock kernel, for project kernels that handle only some cases themselves. */
export function runStockKernel(kernelName: string, args: unknown): tf.TensorInfo {
  const stock = stockKernels.get(kernelName);
  if (stock == null) throw new Error(`no stock wasm kernel ${kernelName} was recorded (registerWasmKernels runs after tfjs-backend-wasm is loaded)`);
  return stock.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

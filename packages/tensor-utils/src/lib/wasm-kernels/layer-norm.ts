import type * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { koenbertWasm } from './koenbert-wasm/koenbert-wasm-runtime';
import { asWasmBackend, heapOffset, type KernelArgs } from './wasm-internals';

/** Project kernels (wasm only) behind the `layerNorm` op. Forward outputs [y, mean, rstd]; backward [dx, dgamma, dbeta]. */
export const LAYER_NORM = 'KoenbertLayerNorm';
export const LAYER_NORM_GRAD = 'KoenbertLayerNormGrad';

/** csrc/layer_norm.c forward over the last axis of x (gamma and beta: that axis' size); attrs: { epsilon }. */
export function layerNormKernel(args: KernelArgs<'x' | 'gamma' | 'beta'>): tf.TensorInfo[] {
  const { x, gamma, beta } = args.inputs;
  const backend = asWasmBackend(args.backend);
  const cols = x.shape[x.shape.length - 1];
  const rows = shapeSize(x.shape.slice(0, -1));
  const outputs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput([rows], 'float32'), backend.makeOutput([rows], 'float32')];
  if (rows > 0 && cols > 0) {
    const [y, mean, rstd] = outputs.map((info) => heapOffset(backend, info));
    const [xAt, gammaAt, betaAt] = [x, gamma, beta].map((info) => heapOffset(backend, info));
    koenbertWasm(backend).exports.layer_norm_f32(xAt, gammaAt, betaAt, y, mean, rstd, rows, cols, Number(args.attrs?.epsilon));
  }
  return outputs;
}

/** csrc/layer_norm.c backward: from dy, x, gamma and the forward's mean and rstd. */
export function layerNormGradKernel(args: KernelArgs<'dy' | 'x' | 'gamma' | 'mean' | 'rstd'>): tf.TensorInfo[] {
  const { dy, x, gamma, mean, rstd } = args.inputs;
  const backend = asWasmBackend(args.backend);
  const cols = x.shape[x.shape.length - 1];
  const rows = shapeSize(x.shape.slice(0, -1));
  const outputs = [backend.makeOutput(x.shape, 'float32'), backend.makeOutput(gamma.shape, 'float32'), backend.makeOutput(gamma.shape, 'float32')];
  if (cols > 0) {
    const [dx, dgamma, dbeta] = outputs.map((info) => heapOffset(backend, info));
    const [dyAt, xAt, gammaAt, meanAt, rstdAt] = [dy, x, gamma, mean, rstd].map((info) => heapOffset(backend, info));
    koenbertWasm(backend).exports.layer_norm_grad_f32(dyAt, xAt, gammaAt, meanAt, rstdAt, dx, dgamma, dbeta, rows, cols);
  }
  return outputs;
}

export const layerNormConfig: tf.KernelConfig = { kernelName: LAYER_NORM, backendName: 'wasm', kernelFunc: layerNormKernel as unknown as tf.KernelFunc };
export const layerNormGradConfig: tf.KernelConfig = { kernelName: LAYER_NORM_GRAD, backendName: 'wasm', kernelFunc: layerNormGradKernel as unknown as tf.KernelFunc };

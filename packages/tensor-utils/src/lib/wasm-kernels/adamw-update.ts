import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { koenbertWasm } from './koenbert-wasm/koenbert-wasm-runtime';
import { asWasmBackend, heapOffset, type KernelArgs } from './wasm-internals';

/** A project kernel (wasm only): one AdamW step of a parameter, outputs [param, expAvg, expAvgSq]. */
export const ADAMW_UPDATE = 'KoenbertAdamWUpdate';

/** Scalars of one step, as src/lib/adamw.ts computes them in float64 (each is rounded to float32 once, as tfjs would). */
export interface AdamWUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** lr / (1 - beta1^t). */
  stepSize: number;
  /** sqrt(1 - beta2^t). */
  biasCorrection2Sqrt: number;
  /** 1 - lr·weightDecay (1 for parameters without decay). */
  decayFactor: number;
}

/** csrc/adamw.c over the whole parameter in one pass; bit-for-bit the op-by-op AdamW of src/lib/adamw.ts. */
export function adamWUpdate(args: KernelArgs<'param' | 'grad' | 'expAvg' | 'expAvgSq'>): tf.TensorInfo[] {
  const { param, grad, expAvg, expAvgSq } = args.inputs;
  const attrs = args.attrs as unknown as AdamWUpdateAttrs;
  const backend = asWasmBackend(args.backend);
  const outputs = [param, expAvg, expAvgSq].map((input) => backend.makeOutput(input.shape, 'float32'));
  const size = shapeSize(param.shape);
  if (size > 0) {
    const [paramOut, expAvgOut, expAvgSqOut] = outputs.map((info) => heapOffset(backend, info));
    koenbertWasm(backend).exports.adamw_update(
      heapOffset(backend, param),
      heapOffset(backend, grad),
      heapOffset(backend, expAvg),
      heapOffset(backend, expAvgSq),
      paramOut,
      expAvgOut,
      expAvgSqOut,
      size,
      attrs.beta1,
      1 - attrs.beta1,
      attrs.beta2,
      1 - attrs.beta2,
      attrs.biasCorrection2Sqrt,
      attrs.epsilon,
      -attrs.stepSize,
      attrs.decayFactor,
    );
  }
  return outputs;
}

export const adamWUpdateConfig: tf.KernelConfig = { kernelName: ADAMW_UPDATE, backendName: 'wasm', kernelFunc: adamWUpdate as unknown as tf.KernelFunc };

import * as tf from '@tensorflow/tfjs';
import { koenbertWasm } from './koenbert-wasm/koenbert-wasm-runtime';
import { sizeOf } from './mat-mul-on-heap';
import { stockKernelFunc } from './stock-kernels';
import { asWasmBackend, tensorData, type KernelArgs } from './wasm-internals';

/** Project kernels (wasm only) behind the `gelu` op: forward x·Φ(x), and dy·(Φ(x) + x·φ(x)). */
export const GELU = 'KoenbertGelu';
export const GELU_GRAD = 'KoenbertGeluGrad';

/** Erf for the wasm backend: float32 through csrc/erf_gelu.c (within 3 ulp); other dtypes: the stock kernel. */
export function erf(args: KernelArgs<'x'>): tf.TensorInfo {
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return stockKernelFunc(tf.Erf)(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  return elementwise(args.backend, [x], (exports, [xPointer], out, size) => exports.erf_f32(xPointer, out, size));
}

export function geluKernel(args: KernelArgs<'x'>): tf.TensorInfo {
  return elementwise(args.backend, [args.inputs.x], (exports, [x], out, size) => exports.gelu_f32(x, out, size));
}

export function geluGradKernel(args: KernelArgs<'x' | 'dy'>): tf.TensorInfo {
  return elementwise(args.backend, [args.inputs.x, args.inputs.dy], (exports, [x, dy], out, size) => exports.gelu_grad_f32(x, dy, out, size));
}

type KoenbertExports = ReturnType<typeof koenbertWasm>['exports'];

/** A float32 output shaped like the first input, filled by `run` with the inputs' and the output's heap offsets. */
function elementwise(
  backendArg: unknown,
  inputs: tf.TensorInfo[],
  run: (exports: KoenbertExports, pointers: number[], out: number, size: number) => void,
): tf.TensorInfo {
  const backend = asWasmBackend(backendArg);
  const out = backend.makeOutput(inputs[0].shape, 'float32');
  const size = sizeOf(inputs[0].shape);
  if (size > 0) {
    const pointers = inputs.map((input) => tensorData(backend, input).memoryOffset);
    run(koenbertWasm(backend).exports, pointers, tensorData(backend, out).memoryOffset, size);
  }
  return out;
}

export const erfConfig: tf.KernelConfig = { kernelName: tf.Erf, backendName: 'wasm', kernelFunc: erf as unknown as tf.KernelFunc };
export const geluConfig: tf.KernelConfig = { kernelName: GELU, backendName: 'wasm', kernelFunc: geluKernel as unknown as tf.KernelFunc };
export const geluGradConfig: tf.KernelConfig = { kernelName: GELU_GRAD, backendName: 'wasm', kernelFunc: geluGradKernel as unknown as tf.KernelFunc };

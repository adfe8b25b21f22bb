import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '../errors';
import type { WasmMemory } from './koenbert-wasm/web-assembly-api';

/**
 * The parts of `@tensorflow/tfjs-backend-wasm@4.22` (class BackendWasm and its Emscripten module) that the project
 * kernels use. They are internal to tfjs, so `asWasmBackend` checks that they are there and fails with one clear
 * error instead of a crash deep in a kernel if a tfjs upgrade moves them.
 */
export interface WasmTensorData {
  /** The id the C++ side knows this buffer by (`register_tensor`). */
  id: number;
  /** Byte offset of the buffer in the wasm heap. */
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
}

/** What tfjs passes a kernel function (`inputs` by the names the kernel declares). */
export interface KernelArgs<Input extends string, OptionalInput extends string = never> {
  inputs: Record<Input, tf.TensorInfo> & Partial<Record<OptionalInput, tf.TensorInfo>>;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

type CFunction = (...args: Array<number | boolean | Uint8Array>) => void;

export interface WasmModule {
  HEAPU8: Uint8Array;
  /** The threaded binary's (imported, shared) memory. */
  wasmMemory?: WasmMemory;
  /** The single-threaded binary's exports, its (exported) memory among them. */
  asm?: { memory?: WasmMemory };
  _malloc(bytes: number): number;
  cwrap(name: string, returnType: null, argTypes: string[]): CFunction;
  tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
}

export interface WasmBackendInternals {
  wasm: WasmModule;
  dataIdMap: { get(dataId: tf.DataId): WasmTensorData | undefined };
  /** Next free tensor id; tfjs increments it for every buffer it registers with C++. */
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  /** One more reference to a buffer (disposeData frees it at the last). */
  incRef(dataId: tf.DataId): void;
}

export function asWasmBackend(backend: unknown): WasmBackendInternals {
  const candidate = backend as Partial<WasmBackendInternals> | undefined;
  const ok =
    candidate != null &&
    typeof candidate.dataIdNextNumber === 'number' &&
    typeof candidate.makeOutput === 'function' &&
    typeof candidate.disposeData === 'function' &&
    typeof candidate.incRef === 'function' &&
    candidate.dataIdMap != null &&
    candidate.wasm != null &&
    typeof candidate.wasm.cwrap === 'function' &&
    typeof candidate.wasm.tfjs?.registerTensor === 'function' &&
    typeof candidate.wasm.tfjs?.disposeData === 'function';
  if (!ok) {
    throw new KoenbertError({
      code: 'WASM_INTERNALS_CHANGED',
      message:
        'the koenbert wasm kernels need the internals of @tensorflow/tfjs-backend-wasm 4.22 (dataIdMap, dataIdNextNumber, wasm.tfjs.registerTensor); ' +
        'this backend does not have them: install @tensorflow/tfjs-backend-wasm@4.22.0',
    });
  }
  return candidate as WasmBackendInternals;
}

export function tensorData(backend: WasmBackendInternals, info: tf.TensorInfo): WasmTensorData {
  const data = backend.dataIdMap.get(info.dataId);
  if (data == null) throw new KoenbertError({ code: 'WASM_INTERNALS_CHANGED', message: 'wasm kernel input has no buffer on the wasm backend' });
  return data;
}

/** Byte offset of a tensor's buffer in the wasm heap (what the C kernels take as a pointer). */
export function heapOffset(backend: WasmBackendInternals, info: tf.TensorInfo): number {
  return tensorData(backend, info).memoryOffset;
}

/** A float32/int32 span of the wasm heap: `size` elements starting at byte `byteOffset`. */
export interface HeapSpan {
  byteOffset: number;
  size: number;
}

/**
 * Registers each span under a fresh tensor id, runs `fn` with those ids, then unregisters them. The C++ kernels then
 * treat a slice of a bigger buffer (one batch of a batched matmul) as a tensor of its own; nothing is copied. Fresh ids
 * also mean no xnnpack operator cached for one call (keyed by the weights' id) can be reused by a later call with
 * different data or shape: unregistering an id deletes what was cached for it.
 */
export function withHeapViews<T>(backend: WasmBackendInternals, spans: HeapSpan[], fn: (ids: number[]) => T): T {
  const ids: number[] = [];
  try {
    for (const span of spans) {
      const id = backend.dataIdNextNumber++;
      backend.wasm.tfjs.registerTensor(id, span.size, span.byteOffset);
      ids.push(id);
    }
    return fn(ids);
  } finally {
    for (const id of ids) backend.wasm.tfjs.disposeData(id);
  }
}

export interface WasmExports {
  /** C++ BatchMatMul(a_id, a_shape, a_rank, b_id, b_shape, b_rank, transpose_a, transpose_b, out_id). */
  batchMatMul: CFunction;
  /** C++ _FusedMatMul(..., transpose_b, activation, bias_id, prelu_weights_id, leakyrelu_alpha, out_id). */
  fusedMatMul: CFunction;
  /** C++ Transpose(x_id, x_shape, x_rank, dtype, out_id, perm, perm_length). */
  transpose: CFunction;
}

const exportsByModule = new WeakMap<WasmModule, WasmExports>();

/**
 * The C++ entry points, wrapped once per wasm module. (Done lazily rather than in a kernel `setupFunc`, which tfjs
 * only runs for kernels registered before the backend is initialised.)
 */
export function wasmExports(backend: WasmBackendInternals): WasmExports {
  const cached = exportsByModule.get(backend.wasm);
  if (cached) return cached;
  const n = 'number';
  const a = 'array';
  const wrapped: WasmExports = {
    batchMatMul: backend.wasm.cwrap('BatchMatMul', null, [n, a, n, n, a, n, n, n, n]),
    fusedMatMul: backend.wasm.cwrap('_FusedMatMul', null, [n, a, n, n, a, n, n, n, n, n, n, n, n]),
    transpose: backend.wasm.cwrap('Transpose', null, [n, a, n, n, n, a, n]),
  };
  exportsByModule.set(backend.wasm, wrapped);
  return wrapped;
}

/** Int32 values as the byte array that an Emscripten 'array' argument expects. */
export function int32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(values).buffer);
}

export const FLOAT32_BYTES = 4;

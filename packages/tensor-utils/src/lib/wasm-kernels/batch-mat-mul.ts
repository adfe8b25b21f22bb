import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { gemmOnHeap } from './koenbert-wasm/gemm-on-heap';
import { wasmGemmEngine } from './koenbert-wasm/wasm-gemm-engine';
import { heapFloat32, matMulGeometry, matMulOnHeap } from './mat-mul-on-heap';
import { asWasmBackend, int32Bytes, wasmExports, type KernelArgs, type WasmBackendInternals } from './wasm-internals';

/**
 * BatchMatMul for the wasm backend. The stock kernel runs XNNPACK only for a 2-D product without transposes; every
 * other case (all backprop matmuls, attention, x·Wᵀ) falls to a naive C++ loop at ~0.5 GFLOP/s. This one runs every
 * case on koenbert's GEMM (gemm/gemm-on-heap), or with KOENBERT_WASM_GEMM=xnnpack on tfjs's XNNPACK path (see
 * matMulOnHeap). float32 only, as the stock kernel.
 */
export function batchMatMul(args: KernelArgs<'a' | 'b'>): tf.TensorInfo {
  const { a, b } = args.inputs;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`BatchMatMul on wasm supports float32 only, got ${a.dtype} and ${b.dtype}`);
  }
  const backend = asWasmBackend(args.backend);
  return batchMatMulInto({ backend, a, b, transposeA, transposeB });
}

/** The kernel body, also used by _FusedMatMul for the cases it cannot fuse. Returns a new float32 tensor info. */
export function batchMatMulInto(params: {
  backend: WasmBackendInternals;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
}): tf.TensorInfo {
  const { backend, a, b, transposeA, transposeB } = params;
  const geometry = matMulGeometry({ aShape: a.shape, bShape: b.shape, transposeA, transposeB });
  const out = backend.makeOutput(geometry.outShape, 'float32');
  if (shapeSize(geometry.outShape) === 0) return out;
  if (geometry.k === 0) {
    heapFloat32(backend, out).fill(0);
    return out;
  }
  if (wasmGemmEngine() === 'koenbert') {
    gemmOnHeap({ backend, a, b, transposeA, transposeB, out, geometry });
    return out;
  }
  const { batchMatMul: cBatchMatMul } = wasmExports(backend);
  matMulOnHeap({
    ...params,
    out,
    geometry,
    call2d: (ids, { rows, k, cols }) => cBatchMatMul(ids.a, int32Bytes([1, rows, k]), 3, ids.b, int32Bytes([1, k, cols]), 3, false, false, ids.out),
  });
  return out;
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};

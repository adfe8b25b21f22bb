import * as tf from '@tensorflow/tfjs';
import { broadcastBatchPairs, isSharedB } from './broadcast-batch-pairs';
import { FLOAT32_BYTES, heapOffset, int32Bytes, tensorData, wasmExports, withHeapViews, type WasmBackendInternals } from './wasm-internals';

/** Sizes of out[..., m, n] = op(a)[..., m, k] · op(b)[..., k, n] with broadcast batch dimensions. */
export interface MatMulGeometry {
  m: number;
  k: number;
  n: number;
  aBatch: number[];
  bBatch: number[];
  outBatch: number[];
  outShape: number[];
}

export function matMulGeometry(params: { aShape: number[]; bShape: number[]; transposeA: boolean; transposeB: boolean }): MatMulGeometry {
  const { aShape, bShape, transposeA, transposeB } = params;
  const aRank = aShape.length;
  const bRank = bShape.length;
  const m = transposeA ? aShape[aRank - 1] : aShape[aRank - 2];
  const k = transposeA ? aShape[aRank - 2] : aShape[aRank - 1];
  const kB = transposeB ? bShape[bRank - 1] : bShape[bRank - 2];
  const n = transposeB ? bShape[bRank - 2] : bShape[bRank - 1];
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${aShape} and ${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(aBatch, bBatch);
  return { m, k, n, aBatch, bBatch, outBatch, outShape: [...outBatch, m, n] };
}

/** A product to compute into an allocated float32 `out` of shape geometry.outShape: out = op(a) · op(b). */
export interface MatMulIntoOut {
  backend: WasmBackendInternals;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  out: tf.TensorInfo;
  geometry: MatMulGeometry;
}

/** One 2-D call: out [rows, cols] = a [rows, k] · b [k, cols], each given as a tensor id. */
export type MatMul2d = (ids: { a: number; b: number; out: number }, shape: { rows: number; k: number; cols: number }) => void;

/**
 * Fills `out` (float32, shape geometry.outShape, already allocated) with op(a) · op(b) using only calls that the
 * wasm backend runs on its fast XNNPACK path: 2-D, no transposed operand, batch 1. Transposed operands are
 * materialised once (one C++ transpose of all their batches); every output batch is then one 2-D call on views of
 * the heap. When b has a single batch, the batches of a are stacked into one tall 2-D call.
 *
 * (Computing outᵀ = op(b)ᵀ·op(a)ᵀ instead, to transpose fewer elements, was measured and lost: XNNPACK packs its
 * right operand with a transposing copy at every call, so the big operand costs the same on either side.)
 */
export function matMulOnHeap(params: MatMulIntoOut & { call2d: MatMul2d }): void {
  const { backend, a, b, transposeA, transposeB, out, geometry, call2d } = params;
  const { m, k, n } = geometry;
  const batchA = shapeSize(geometry.aBatch);
  const batchB = shapeSize(geometry.bBatch);
  const temporaries: tf.TensorInfo[] = [];
  try {
    // a as [batchA, m, k] and b as [batchB, k, n], row-major.
    const aRows = transposeA ? transposeLastTwo({ backend, x: a, batch: batchA, rows: k, cols: m, temporaries }) : a;
    const bRows = transposeB ? transposeLastTwo({ backend, x: b, batch: batchB, rows: n, cols: k, temporaries }) : b;
    const aOffset = heapOffset(backend, aRows);
    const bOffset = heapOffset(backend, bRows);
    const outOffset = heapOffset(backend, out);
    const pairs = broadcastBatchPairs({ outBatch: geometry.outBatch, aBatch: geometry.aBatch, bBatch: geometry.bBatch });
    if (isSharedB(pairs)) {
      const rows = pairs.a.length * m;
      const spans = [
        { byteOffset: aOffset, size: rows * k },
        { byteOffset: bOffset, size: k * n },
        { byteOffset: outOffset, size: rows * n },
      ];
      withHeapViews(backend, spans, ([aId, bId, outId]) => call2d({ a: aId, b: bId, out: outId }, { rows, k, cols: n }));
      return;
    }
    for (let batch = 0; batch < pairs.a.length; batch++) {
      const spans = [
        { byteOffset: aOffset + pairs.a[batch] * m * k * FLOAT32_BYTES, size: m * k },
        { byteOffset: bOffset + pairs.b[batch] * k * n * FLOAT32_BYTES, size: k * n },
        { byteOffset: outOffset + batch * m * n * FLOAT32_BYTES, size: m * n },
      ];
      withHeapViews(backend, spans, ([aId, bId, outId]) => call2d({ a: aId, b: bId, out: outId }, { rows: m, k, cols: n }));
    }
  } finally {
    for (const info of temporaries) backend.disposeData(info.dataId);
  }
}

function temporary(backend: WasmBackendInternals, shape: number[], temporaries: tf.TensorInfo[]): tf.TensorInfo {
  const info = backend.makeOutput(shape, 'float32');
  temporaries.push(info);
  return info;
}

/**
 * [batch, rows, cols] → a new [batch, cols, rows] float32 buffer (pushed to `temporaries`), or `x` itself when rows or
 * cols is 1 (the memory layout is then the same).
 */
function transposeLastTwo(params: {
  backend: WasmBackendInternals;
  x: tf.TensorInfo;
  batch: number;
  rows: number;
  cols: number;
  temporaries: tf.TensorInfo[];
}): tf.TensorInfo {
  const { backend, x, batch, rows, cols, temporaries } = params;
  if (rows === 1 || cols === 1) return x;
  const out = temporary(backend, [batch, cols, rows], temporaries);
  transposeInto({ backend, x, out, batch, rows, cols });
  return out;
}

/** x [batch, rows, cols] transposed into the existing buffer `out` [batch, cols, rows] by the C++ Transpose. */
function transposeInto(params: { backend: WasmBackendInternals; x: tf.TensorInfo; out: tf.TensorInfo; batch: number; rows: number; cols: number }): void {
  const { backend, x, out, batch, rows, cols } = params;
  const [shape, perm] = batch === 1 ? [[rows, cols], [1, 0]] : [[batch, rows, cols], [0, 2, 1]];
  const float32 = 0; // CppDType.float32
  wasmExports(backend).transpose(tensorData(backend, x).id, int32Bytes(shape), shape.length, float32, tensorData(backend, out).id, int32Bytes(perm), perm.length);
}

export function shapeSize(shape: number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** The float32 elements of a tensor on the wasm heap (valid until the next allocation may grow the heap). */
export function heapFloat32(backend: WasmBackendInternals, info: tf.TensorInfo): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, info), shapeSize(info.shape));
}

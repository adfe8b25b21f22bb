import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { asWasmBackend, heapOffset, type KernelArgs, type WasmBackendInternals } from './wasm-internals';

/**
 * UnsortedSegmentSum for the wasm backend, which has none — it is the gradient of tf.gather, so without it an
 * embedding lookup cannot be trained on wasm. out[s, ...] = Σ x[i, ...] over every i with segmentIds[i] = s, in one
 * pass over x (O(size of x) plus zeroing the output), directly on the wasm heap. segmentIds may have any rank r as
 * long as its shape is the first r dimensions of x (TensorFlow's rule); the output is [numSegments, ...x.shape[r:]].
 * Ids outside [0, numSegments) are skipped, as the cpu backend does. float32 and int32.
 */
export function unsortedSegmentSum(args: KernelArgs<'x' | 'segmentIds'>): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const numSegments = Number(args.attrs?.numSegments);
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  if (segmentIds.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: segmentIds must be int32, got ${segmentIds.dtype}`);
  if (!Number.isInteger(numSegments) || numSegments < 0) throw new Error(`UnsortedSegmentSum: numSegments must be an integer >= 0, got ${numSegments}`);
  const idsRank = segmentIds.shape.length;
  if (idsRank > x.shape.length || segmentIds.shape.some((size, axis) => size !== x.shape[axis])) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
  }
  const backend = asWasmBackend(args.backend);
  const innerShape = x.shape.slice(idsRank);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views are taken after makeOutput: an allocation may grow (and so replace) the heap's ArrayBuffer.
  const inner = shapeSize(innerShape);
  const count = shapeSize(segmentIds.shape);
  const target = heapView(backend, out, numSegments * inner);
  const source = heapView(backend, x, count * inner);
  const ids = new Int32Array(backend.wasm.HEAPU8.buffer, heapOffset(backend, segmentIds), count);
  target.fill(0);
  for (let i = 0; i < count; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    const from = i * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) target[to + j] += source[from + j];
  }
  return out;
}

function heapView(backend: WasmBackendInternals, info: tf.TensorInfo, size: number): Float32Array | Int32Array {
  const offset = heapOffset(backend, info);
  const buffer = backend.wasm.HEAPU8.buffer;
  return info.dtype === 'int32' ? new Int32Array(buffer, offset, size) : new Float32Array(buffer, offset, size);
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};

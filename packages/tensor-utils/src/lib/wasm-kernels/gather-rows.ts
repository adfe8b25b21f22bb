import * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../safetensors/tensor-record';
import { runStockKernel } from './stock-kernels';
import { asWasmBackend, heapOffset, type KernelArgs } from './wasm-internals';

/**
 * GatherV2 for the wasm backend, for the embedding-lookup case (axis 0, no batch dimensions, float32 or int32 rows):
 * each selected row is one block copy inside the wasm heap. The stock kernel walks every element through a generic
 * strided loop (~19 ms for 1024 rows of 256). Other cases go to the stock kernel. Out-of-range ids fail with the
 * stock kernel's message.
 */
export function gatherRows(args: KernelArgs<'x' | 'indices'>): tf.TensorInfo {
  const { x, indices } = args.inputs;
  const axis = tf.util.parseAxisParam(args.attrs?.axis as number, x.shape)[0];
  const batchDims = Number(args.attrs?.batchDims ?? 0);
  if (axis !== 0 || batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') {
    return runStockKernel(tf.GatherV2, args);
  }
  const backend = asWasmBackend(args.backend);
  const rows = x.shape[0];
  const rowSize = shapeSize(x.shape.slice(1));
  const count = shapeSize(indices.shape);
  // 4-byte words: float32 and int32 rows are copied bit for bit.
  const heap = new Int32Array(backend.wasm.HEAPU8.buffer);
  const idsStart = heapOffset(backend, indices) / 4;
  const ids = heap.subarray(idsStart, idsStart + count);
  for (const id of ids) tf.util.assert(id <= rows - 1 && id >= 0, () => `GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  if (count === 0 || rowSize === 0) return out;
  // makeOutput may have grown the heap: take the views again.
  const words = new Int32Array(backend.wasm.HEAPU8.buffer);
  const source = heapOffset(backend, x) / 4;
  const target = heapOffset(backend, out) / 4;
  const currentIds = words.subarray(idsStart, idsStart + count);
  for (let i = 0; i < count; i++) {
    const from = source + currentIds[i] * rowSize;
    words.copyWithin(target + i * rowSize, from, from + rowSize);
  }
  return out;
}

export const gatherRowsConfig: tf.KernelConfig = { kernelName: tf.GatherV2, backendName: 'wasm', kernelFunc: gatherRows as unknown as tf.KernelFunc };

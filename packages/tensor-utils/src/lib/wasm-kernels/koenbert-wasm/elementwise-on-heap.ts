import type * as tf from '@tensorflow/tfjs';
import { shapeSize } from '../../safetensors/tensor-record';
import { FLOAT32_BYTES, heapOffset, type WasmBackendInternals } from '../wasm-internals';
import { POOL_FUNCTIONS, type PoolFunction } from './koenbert-wasm-pool';
import { koenbertWasm, runTasks, usablePool } from './koenbert-wasm-runtime';

/** Elements per task: big enough that a task outweighs waking a thread (~tens of µs), small enough to balance. */
const MIN_CHUNK = 1 << 16;
/** Chunks start on a multiple of 16 elements (a cache line), so the 4-lane loops of two tasks never share one. */
const CHUNK_ALIGN = 16;

/**
 * A float32 output shaped like `inputs[0]`, filled by the element-wise export `fn(inputs…, out, n)` over the inputs'
 * heap offsets, cut into chunks that run on koenbert's worker threads when there are enough elements.
 */
export function elementwiseOnHeap(params: { backend: WasmBackendInternals; fn: Exclude<PoolFunction, 'gemm_block'>; inputs: tf.TensorInfo[] }): tf.TensorInfo {
  const { backend, fn, inputs } = params;
  const out = backend.makeOutput(inputs[0].shape, 'float32');
  const size = shapeSize(inputs[0].shape);
  if (size === 0) return out;
  const runtime = koenbertWasm(backend);
  const pool = usablePool(runtime);
  const chunks = pool ? Math.max(1, Math.min(4 * (pool.size + 1), Math.floor(size / MIN_CHUNK))) : 1;
  const chunkSize = Math.ceil(size / chunks / CHUNK_ALIGN) * CHUNK_ALIGN;
  const pointers = [...inputs, out].map((info) => heapOffset(backend, info));
  const id = POOL_FUNCTIONS.indexOf(fn);
  runTasks({
    runtime,
    count: Math.ceil(size / chunkSize),
    threaded: chunks > 1,
    fill: (task, into, at) => {
      const start = task * chunkSize;
      into[at] = id;
      pointers.forEach((pointer, i) => (into[at + 1 + i] = pointer + start * FLOAT32_BYTES));
      into[at + 1 + pointers.length] = Math.min(chunkSize, size - start);
    },
  });
  return out;
}

import type * as tf from '@tensorflow/tfjs';
import { broadcastBatchPairs } from '../broadcast-batch-pairs';
import type { MatMulIntoOut } from '../mat-mul-on-heap';
import { FLOAT32_BYTES, heapOffset } from '../wasm-internals';
import { POOL_FUNCTIONS } from './koenbert-wasm-pool';
import { koenbertWasm, runTasks, usablePool } from './koenbert-wasm-runtime';
import { planGemmTiles } from './plan-gemm-tiles';

/** Below this many multiply-adds, waking the helper threads costs more than it saves. */
const MIN_THREADED_MULTIPLY_ADDS = 1 << 20;
const GEMM_BLOCK = POOL_FUNCTIONS.indexOf('gemm_block');

/**
 * out = (bias +) op(a) · op(b) with koenbert's GEMM (csrc/gemm.c), reading and writing the tensors in place on tfjs's
 * heap. Transposed operands are read through strides (no transposed copy); broadcast batches through per-batch
 * offsets. `out` is float32 with shape geometry.outShape, already allocated; geometry.k must be > 0.
 */
export function gemmOnHeap(
  params: MatMulIntoOut & {
    /** n floats added to every row. */
    bias?: tf.TensorInfo;
  },
): void {
  const { backend, a, b, transposeA, transposeB, out, geometry, bias } = params;
  const { m, k, n } = geometry;
  const runtime = koenbertWasm(backend);
  const pairs = broadcastBatchPairs({ outBatch: geometry.outBatch, aBatch: geometry.aBatch, bBatch: geometry.bBatch });
  const batches = pairs.a.length;
  const pool = usablePool(runtime);
  const threaded = pool !== undefined && m * n * k * batches >= MIN_THREADED_MULTIPLY_ADDS;
  const tiles = planGemmTiles({ batches, m, n, threads: threaded ? pool.size + 1 : 1 });
  const aBase = heapOffset(backend, a);
  const bBase = heapOffset(backend, b);
  const outBase = heapOffset(backend, out);
  const biasPointer = bias ? heapOffset(backend, bias) : 0;
  const [am, ak] = transposeA ? [1, m] : [k, 1];
  const [bk, bj] = transposeB ? [1, k] : [n, 1];
  runTasks({
    runtime,
    count: tiles.length,
    threaded,
    fill: (index, into, at) => {
      const { batch, i0, i1, j0, j1 } = tiles[index];
      into[at] = GEMM_BLOCK;
      into[at + 1] = aBase + pairs.a[batch] * m * k * FLOAT32_BYTES;
      into[at + 2] = am;
      into[at + 3] = ak;
      into[at + 4] = bBase + pairs.b[batch] * k * n * FLOAT32_BYTES;
      into[at + 5] = bk;
      into[at + 6] = bj;
      into[at + 7] = outBase + batch * m * n * FLOAT32_BYTES;
      into[at + 8] = n;
      into[at + 9] = biasPointer;
      into[at + 10] = i0;
      into[at + 11] = i1;
      into[at + 12] = j0;
      into[at + 13] = j1;
      into[at + 14] = k;
    },
  });
}

import type * as tf from '@tensorflow/tfjs';
import { broadcastBatchPairs } from '../broadcast-batch-pairs';
import type { MatMulGeometry } from '../mat-mul-on-heap';
import { FLOAT32_BYTES, tensorData, type WasmBackendInternals } from '../wasm-internals';
import { koenbertWasm } from './koenbert-wasm-runtime';
import { MAX_TILES_PER_DISPATCH, TILE_ARG_COUNT } from './gemm-worker-pool';
import { planGemmTiles } from './plan-gemm-tiles';

/** Below this many multiply-adds, waking the helper threads costs more than it saves. */
const MIN_THREADED_MULTIPLY_ADDS = 1 << 20;

/**
 * out = (bias +) op(a) · op(b) with koenbert's GEMM (csrc/gemm.c), reading and writing the tensors in place on tfjs's
 * heap. Transposed operands are read through strides (no transposed copy); broadcast batches through per-batch
 * offsets. `out` is float32 with shape geometry.outShape, already allocated; geometry.k must be > 0.
 */
export function gemmOnHeap(params: {
  backend: WasmBackendInternals;
  a: tf.TensorInfo;
  b: tf.TensorInfo;
  transposeA: boolean;
  transposeB: boolean;
  out: tf.TensorInfo;
  geometry: MatMulGeometry;
  /** n floats added to every row. */
  bias?: tf.TensorInfo;
}): void {
  const { backend, a, b, transposeA, transposeB, out, geometry, bias } = params;
  const { m, k, n } = geometry;
  const runner = koenbertWasm(backend);
  const pairs = broadcastBatchPairs({ outBatch: geometry.outBatch, aBatch: geometry.aBatch, bBatch: geometry.bBatch });
  const batches = pairs.a.length;
  const pool = runner.pool && !runner.pool.broken && m * n * k * batches >= MIN_THREADED_MULTIPLY_ADDS ? runner.pool : undefined;
  const tiles = planGemmTiles({ batches, m, n, threads: pool ? pool.size + 1 : 1 });
  const aBase = tensorData(backend, a).memoryOffset;
  const bBase = tensorData(backend, b).memoryOffset;
  const outBase = tensorData(backend, out).memoryOffset;
  const biasPointer = bias ? tensorData(backend, bias).memoryOffset : 0;
  const [am, ak] = transposeA ? [1, m] : [k, 1];
  const [bk, bj] = transposeB ? [1, k] : [n, 1];
  const tileArgs = (index: number, into: Int32Array, at: number): void => {
    const { batch, i0, i1, j0, j1 } = tiles[index];
    into[at] = aBase + pairs.a[batch] * m * k * FLOAT32_BYTES;
    into[at + 1] = am;
    into[at + 2] = ak;
    into[at + 3] = bBase + pairs.b[batch] * k * n * FLOAT32_BYTES;
    into[at + 4] = bk;
    into[at + 5] = bj;
    into[at + 6] = outBase + batch * m * n * FLOAT32_BYTES;
    into[at + 7] = n;
    into[at + 8] = biasPointer;
    into[at + 9] = i0;
    into[at + 10] = i1;
    into[at + 11] = j0;
    into[at + 12] = j1;
    into[at + 13] = k;
  };
  const args = pool ? pool.tileArgs : new Int32Array(TILE_ARG_COUNT);
  const gemmBlock = runner.exports.gemm_block;
  const runLocal = (at: number): void =>
    gemmBlock(args[at], args[at + 1], args[at + 2], args[at + 3], args[at + 4], args[at + 5], args[at + 6], args[at + 7],
      args[at + 8], args[at + 9], args[at + 10], args[at + 11], args[at + 12], args[at + 13], runner.scratch);
  if (!pool) {
    for (let index = 0; index < tiles.length; index++) {
      tileArgs(index, args, 0);
      runLocal(0);
    }
    return;
  }
  for (let first = 0; first < tiles.length; first += MAX_TILES_PER_DISPATCH) {
    const count = Math.min(MAX_TILES_PER_DISPATCH, tiles.length - first);
    for (let tile = 0; tile < count; tile++) tileArgs(first + tile, args, tile * TILE_ARG_COUNT);
    pool.dispatch(count, (tile) => runLocal(tile * TILE_ARG_COUNT));
  }
}

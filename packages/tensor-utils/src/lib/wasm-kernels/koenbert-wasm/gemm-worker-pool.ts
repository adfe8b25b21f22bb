import { Worker } from 'node:worker_threads';

/** Int32 arguments of one gemm_block call, without the thread's own scratch pointer (gemm-on-heap writes them). */
export const TILE_ARG_COUNT = 14;
/** Tiles one dispatch can hold; bigger jobs go in several dispatches. */
export const MAX_TILES_PER_DISPATCH = 4096;

// Slots of the control array shared by the main thread and the workers.
const GENERATION = 0;
const NEXT_TILE = 1;
const TILE_COUNT = 2;
const FINISHED_WORKERS = 3;
const FAILED_TILE = 4;
const CONTROL_SLOTS = 5;
const NO_FAILURE = -1;

/**
 * The worker's loop, as source (run with `eval: true`, so the package needs no separate worker file). It sleeps on
 * the generation counter; on each new generation it takes tiles from the shared counter until none are left, then
 * reports. Arguments are Int32: pointers above 2 GiB arrive negative and wasm reads the same 32 bits as unsigned.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, tileArgs, scratch } = workerData;
const gemmBlock = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm_block;
const state = new Int32Array(control);
const args = new Int32Array(tileArgs);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(state, ${GENERATION}, seen);
  seen = Atomics.load(state, ${GENERATION});
  const count = Atomics.load(state, ${TILE_COUNT});
  for (let tile = Atomics.add(state, ${NEXT_TILE}, 1); tile < count; tile = Atomics.add(state, ${NEXT_TILE}, 1)) {
    const o = tile * ${TILE_ARG_COUNT};
    try {
      gemmBlock(args[o], args[o + 1], args[o + 2], args[o + 3], args[o + 4], args[o + 5], args[o + 6], args[o + 7],
        args[o + 8], args[o + 9], args[o + 10], args[o + 11], args[o + 12], args[o + 13], scratch);
    } catch {
      Atomics.store(state, ${FAILED_TILE}, tile);
    }
  }
  Atomics.add(state, ${FINISHED_WORKERS}, 1);
  Atomics.notify(state, ${FINISHED_WORKERS});
}
`;

/**
 * Helper threads for the GEMM: each runs its own instance of the module on tfjs's shared memory. The calling thread
 * works on the same job, so a pool of `workers` gives workers + 1 threads. The workers are unref'd: a program exits
 * while they sleep. Start it with `GemmWorkerPool.start`, which resolves once every worker is ready: `dispatch`
 * blocks the calling thread, so it must never wait for a worker that is still loading.
 */
export class GemmWorkerPool {
  readonly tileArgs = new Int32Array(new SharedArrayBuffer(MAX_TILES_PER_DISPATCH * TILE_ARG_COUNT * 4));
  private readonly state = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly workers: Worker[];
  /** Set when a worker died after start; dispatch would wait for it forever, so the caller must stop using the pool. */
  broken = false;

  private constructor(params: { module: WebAssembly.Module; memory: WebAssembly.Memory; scratch: number[] }) {
    const { module, memory, scratch } = params;
    this.workers = scratch.map(
      (pointer) => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: this.state.buffer, tileArgs: this.tileArgs.buffer, scratch: pointer } }),
    );
  }

  /** One worker per scratch pointer (each a private gemm_scratch_floats buffer on the shared heap). */
  static async start(params: { module: WebAssembly.Module; memory: WebAssembly.Memory; scratch: number[] }): Promise<GemmWorkerPool> {
    const pool = new GemmWorkerPool(params);
    try {
      await Promise.all(
        pool.workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`GEMM worker exited with code ${code} before it was ready`)));
            }),
        ),
      );
    } catch (error) {
      await pool.terminate();
      throw error;
    }
    for (const worker of pool.workers) {
      worker.removeAllListeners();
      const markBroken = (): void => {
        pool.broken = true;
      };
      worker.on('error', markBroken);
      worker.on('exit', markBroken);
      worker.unref();
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs tiles 0..count-1 of `tileArgs` on the workers and, through `runTile`, on this thread; returns when all are done. */
  dispatch(count: number, runTile: (tile: number) => void): void {
    const state = this.state;
    Atomics.store(state, TILE_COUNT, count);
    Atomics.store(state, NEXT_TILE, 0);
    Atomics.store(state, FINISHED_WORKERS, 0);
    Atomics.store(state, FAILED_TILE, NO_FAILURE);
    Atomics.add(state, GENERATION, 1);
    Atomics.notify(state, GENERATION);
    for (let tile = Atomics.add(state, NEXT_TILE, 1); tile < count; tile = Atomics.add(state, NEXT_TILE, 1)) runTile(tile);
    for (let finished = Atomics.load(state, FINISHED_WORKERS); finished < this.workers.length; finished = Atomics.load(state, FINISHED_WORKERS)) {
      Atomics.wait(state, FINISHED_WORKERS, finished);
    }
    const failed = Atomics.load(state, FAILED_TILE);
    if (failed !== NO_FAILURE) throw new Error(`GEMM worker failed on tile ${failed}`);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

import { Worker } from 'node:worker_threads';
import type { WasmCompiledModule, WasmMemory } from './web-assembly-api';

/**
 * The exports a pool task can call, by index (the first slot of a task). gemm_block also gets the calling thread's
 * own packing scratch as its last argument; the element-wise functions take (inputs…, out, n).
 */
export const POOL_FUNCTIONS = ['gemm_block', 'exp_f32', 'erf_f32', 'gelu_f32', 'gelu_grad_f32'] as const;
export type PoolFunction = (typeof POOL_FUNCTIONS)[number];
/** Int32 slots of one task: the function's index, then up to 15 arguments. */
export const TASK_SLOTS = 16;
/** Tasks one dispatch can hold; bigger jobs go in several dispatches. */
export const MAX_TASKS_PER_DISPATCH = 4096;

// Slots of the control array shared by the main thread and the workers.
const GENERATION = 0;
const NEXT_TASK = 1;
const TASK_COUNT = 2;
const FINISHED_WORKERS = 3;
const FAILED_TASK = 4;
const CONTROL_SLOTS = 5;
const NO_FAILURE = -1;

/**
 * Calls task `at` of `args` with the functions of one instance (this thread's `scratch` for gemm_block). The workers
 * run the same steps, written out in WORKER_SOURCE (a bundler may rename what a function's source refers to).
 */
export function runTask(exports: Record<string, unknown>, scratch: number, args: Int32Array, at: number): void {
  const fn = exports[POOL_FUNCTIONS[args[at]]] as (...values: number[]) => void;
  if (args[at] === 0) {
    fn(args[at + 1], args[at + 2], args[at + 3], args[at + 4], args[at + 5], args[at + 6], args[at + 7], args[at + 8],
      args[at + 9], args[at + 10], args[at + 11], args[at + 12], args[at + 13], args[at + 14], scratch);
  } else {
    fn(args[at + 1], args[at + 2], args[at + 3], args[at + 4], args[at + 5]);
  }
}

/**
 * The worker's loop, as source (run with `eval: true`, so the package needs no separate worker file). It sleeps on
 * the generation counter; on each new generation it takes tasks from the shared counter until none are left, then
 * reports. Arguments are Int32: pointers above 2 GiB arrive negative and wasm reads the same 32 bits as unsigned.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, taskArgs, scratch } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const functions = ${JSON.stringify(POOL_FUNCTIONS)}.map((name) => exports[name]);
const state = new Int32Array(control);
const args = new Int32Array(taskArgs);
function runTask(at) {
  const fn = functions[args[at]];
  if (args[at] === 0) {
    fn(args[at + 1], args[at + 2], args[at + 3], args[at + 4], args[at + 5], args[at + 6], args[at + 7], args[at + 8],
      args[at + 9], args[at + 10], args[at + 11], args[at + 12], args[at + 13], args[at + 14], scratch);
  } else {
    fn(args[at + 1], args[at + 2], args[at + 3], args[at + 4], args[at + 5]);
  }
}
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(state, ${GENERATION}, seen);
  seen = Atomics.load(state, ${GENERATION});
  const count = Atomics.load(state, ${TASK_COUNT});
  for (let task = Atomics.add(state, ${NEXT_TASK}, 1); task < count; task = Atomics.add(state, ${NEXT_TASK}, 1)) {
    try {
      runTask(task * ${TASK_SLOTS});
    } catch {
      Atomics.store(state, ${FAILED_TASK}, task);
    }
  }
  Atomics.add(state, ${FINISHED_WORKERS}, 1);
  Atomics.notify(state, ${FINISHED_WORKERS});
}
`;

/**
 * Helper threads for koenbert's kernels: each runs its own instance of the module on tfjs's shared memory. The calling
 * thread works on the same job, so a pool of `workers` gives workers + 1 threads. The workers are unref'd: a program
 * exits while they sleep. Start it with `KoenbertWasmPool.start`, which resolves once every worker is ready:
 * `dispatch` blocks the calling thread, so it must never wait for a worker that is still loading.
 */
export class KoenbertWasmPool {
  readonly taskArgs = new Int32Array(new SharedArrayBuffer(MAX_TASKS_PER_DISPATCH * TASK_SLOTS * 4));
  private readonly state = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly workers: Worker[];
  /** Set when a worker died after start; dispatch would wait for it forever, so the caller must stop using the pool. */
  broken = false;

  private constructor(params: { module: WasmCompiledModule; memory: WasmMemory; scratch: number[] }) {
    const { module, memory, scratch } = params;
    this.workers = scratch.map(
      (pointer) => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: this.state.buffer, taskArgs: this.taskArgs.buffer, scratch: pointer } }),
    );
  }

  /** One worker per scratch pointer (each a private gemm_scratch_floats buffer on the shared heap). */
  static async start(params: { module: WasmCompiledModule; memory: WasmMemory; scratch: number[] }): Promise<KoenbertWasmPool> {
    const pool = new KoenbertWasmPool(params);
    try {
      await Promise.all(
        pool.workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              worker.once('message', () => resolve());
              worker.once('error', reject);
              worker.once('exit', (code) => reject(new Error(`koenbert wasm worker exited with code ${code} before it was ready`)));
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

  /** Runs tasks 0..count-1 of `taskArgs` on the workers and, through `runLocal`, on this thread; returns when all are done. */
  dispatch(count: number, runLocal: (task: number) => void): void {
    const state = this.state;
    Atomics.store(state, TASK_COUNT, count);
    Atomics.store(state, NEXT_TASK, 0);
    Atomics.store(state, FINISHED_WORKERS, 0);
    Atomics.store(state, FAILED_TASK, NO_FAILURE);
    Atomics.add(state, GENERATION, 1);
    Atomics.notify(state, GENERATION);
    for (let task = Atomics.add(state, NEXT_TASK, 1); task < count; task = Atomics.add(state, NEXT_TASK, 1)) runLocal(task);
    for (let finished = Atomics.load(state, FINISHED_WORKERS); finished < this.workers.length; finished = Atomics.load(state, FINISHED_WORKERS)) {
      Atomics.wait(state, FINISHED_WORKERS, finished);
    }
    const failed = Atomics.load(state, FAILED_TASK);
    if (failed !== NO_FAILURE) throw new Error(`koenbert wasm worker failed on task ${failed}`);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

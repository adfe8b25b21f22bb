import { KoenbertError } from '../../errors';
import type { WasmBackendInternals, WasmModule } from '../wasm-internals';
import { KoenbertWasmPool, MAX_TASKS_PER_DISPATCH, runTask, TASK_SLOTS } from './koenbert-wasm-pool';
import { instantiateKoenbertWasm, koenbertWasmModule, type KoenbertWasmExports } from './koenbert-wasm-module';
import { MAX_STRIP_COLUMNS } from './plan-gemm-tiles';
import { webAssembly, type WasmMemory } from './web-assembly-api';

/** koenbert's kernels attached to one started wasm backend: an instance on this thread and, once started, worker threads. */
export interface KoenbertWasmRuntime {
  exports: KoenbertWasmExports;
  /** This thread's GEMM packing scratch (a pointer into tfjs's heap). */
  scratch: number;
  simd: 'relaxed' | 'simd128';
  pool?: KoenbertWasmPool;
}

const runtimes = new WeakMap<WasmModule, KoenbertWasmRuntime>();

export function koenbertWasm(backend: WasmBackendInternals): KoenbertWasmRuntime {
  const existing = runtimes.get(backend.wasm);
  if (existing) return existing;
  const memory = heapMemory(backend);
  const { module, simd } = koenbertWasmModule(isShared(memory));
  const exports = instantiateKoenbertWasm(module, memory);
  const runtime: KoenbertWasmRuntime = { exports, scratch: allocateScratch(backend, exports), simd };
  runtimes.set(backend.wasm, runtime);
  return runtime;
}

/**
 * Gives koenbert's kernels `threads` threads in all (this one and threads - 1 workers) when tfjs runs its threaded
 * binary, whose memory workers can share; returns the count in use. Idempotent. initBackend calls it after starting
 * wasm threads.
 */
export async function startKernelThreads(backend: WasmBackendInternals, threads: number): Promise<number> {
  const runtime = koenbertWasm(backend);
  const running = usablePool(runtime);
  if (running) return running.size + 1;
  const memory = heapMemory(backend);
  if (threads <= 1 || !isShared(memory)) return 1;
  const scratch = Array.from({ length: threads - 1 }, () => allocateScratch(backend, runtime.exports));
  runtime.pool = await KoenbertWasmPool.start({ module: koenbertWasmModule(true).module, memory, scratch });
  return threads;
}

/** The pool when it may be used (started, not broken), else undefined. */
export function usablePool(runtime: KoenbertWasmRuntime): KoenbertWasmPool | undefined {
  return runtime.pool && !runtime.pool.broken ? runtime.pool : undefined;
}

/**
 * Runs `count` tasks (`fill(task, args, at)` writes task `task` as TASK_SLOTS int32 at `args[at]`: a POOL_FUNCTIONS
 * index, then its arguments) on the pool when `threaded`, else one after another on this thread.
 */
export function runTasks(params: { runtime: KoenbertWasmRuntime; count: number; threaded: boolean; fill: (task: number, args: Int32Array, at: number) => void }): void {
  const { runtime, count, fill } = params;
  const pool = params.threaded ? usablePool(runtime) : undefined;
  const exports = runtime.exports as unknown as Record<string, unknown>;
  if (!pool) {
    const args = new Int32Array(TASK_SLOTS);
    for (let task = 0; task < count; task++) {
      fill(task, args, 0);
      runTask(exports, runtime.scratch, args, 0);
    }
    return;
  }
  for (let first = 0; first < count; first += MAX_TASKS_PER_DISPATCH) {
    const chunk = Math.min(MAX_TASKS_PER_DISPATCH, count - first);
    for (let task = 0; task < chunk; task++) fill(first + task, pool.taskArgs, task * TASK_SLOTS);
    pool.dispatch(chunk, (task) => runTask(exports, runtime.scratch, pool.taskArgs, task * TASK_SLOTS));
  }
}

/** Threads koenbert's kernels of this backend run on now (1 until startKernelThreads). */
export function kernelThreads(backend: WasmBackendInternals): number {
  const runtime = runtimes.get(backend.wasm);
  const pool = runtime && usablePool(runtime);
  return pool ? pool.size + 1 : 1;
}

function heapMemory(backend: WasmBackendInternals): WasmMemory {
  // The threaded binary imports its memory and keeps it as Module.wasmMemory; the single-threaded one exports it.
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!(memory instanceof webAssembly.Memory)) {
    throw new KoenbertError({
      code: 'WASM_INTERNALS_CHANGED',
      message: "koenbert's wasm kernels need the wasm backend's WebAssembly.Memory (Module.wasmMemory or Module.asm.memory in tfjs-backend-wasm 4.22); this backend has neither",
    });
  }
  return memory;
}

function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** Packed panels start on a cache line: a 16-byte load that straddles two lines costs two. */
const CACHE_LINE_BYTES = 64;

/** A GEMM packing buffer for one thread, from tfjs's allocator; kept for the life of the backend. */
function allocateScratch(backend: WasmBackendInternals, exports: KoenbertWasmExports): number {
  const bytes = exports.gemm_scratch_floats(MAX_STRIP_COLUMNS) * 4 + CACHE_LINE_BYTES;
  const pointer = backend.wasm._malloc(bytes);
  if (!pointer) throw new KoenbertError({ code: 'WASM_OUT_OF_MEMORY', message: `the wasm heap has no room for ${bytes} bytes of GEMM scratch` });
  return Math.ceil(pointer / CACHE_LINE_BYTES) * CACHE_LINE_BYTES;
}

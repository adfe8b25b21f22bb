import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { KoenbertError } from '../errors';

/**
 * Multi-threaded XNNPACK for the wasm backend in Node.
 *
 * tfjs-backend-wasm 4.22 turns threads off in Node (tfjs issue #3830): its pthread workers are started from Blob URLs,
 * which Node's worker_threads cannot load, and its thread pool is created while those workers are still loading,
 * which deadlocks the main thread. This module works around both without touching node_modules:
 * - the worker script is written to a file (content-addressed, in the OS temp folder) and handed out where tfjs asks
 *   for a Blob URL; inside the worker, the main script is the package's own `tfjs-backend-wasm-threaded-simd.js`;
 * - the backend starts with a one-thread pool (no pthread is created), and the real pool is created once every worker
 *   has loaded;
 * - tfjs sizes the pool by `os.cpus().length / 2` (it assumes two hyper-threads per core); while the module starts,
 *   `os.cpus()` reports twice the requested threads so that the pool gets exactly the requested size.
 * Only the matrix products (XNNPACK) run on the threads; tfjs's element-wise kernels stay single-threaded.
 */

/** tfjs's threaded binary preloads 8 pthread workers; a pool needing more would wait on a worker that cannot load. */
const MAX_WASM_THREADS = 8;

/** Threads the wasm backend uses when neither the option nor KOENBERT_WASM_THREADS says (all cores, at most 8). */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, os.availableParallelism()));
}

/** The requested thread count: the option, else KOENBERT_WASM_THREADS, else defaultWasmThreads(). */
export function resolveWasmThreads(option: number | undefined, envValue: string | undefined): number {
  if (option !== undefined) return checkThreads(option, `wasmThreads option`, String(option));
  if (envValue !== undefined && envValue.trim() !== '') return checkThreads(Number(envValue.trim()), 'KOENBERT_WASM_THREADS', envValue.trim());
  return defaultWasmThreads();
}

function checkThreads(value: number, where: string, shown: string): number {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_WASM_THREADS) return value;
  throw new KoenbertError({ code: 'BACKEND_INVALID', message: `${where}: expected an integer from 1 to ${MAX_WASM_THREADS}, got "${shown}"` });
}

interface PThreadWorker {
  loaded?: boolean;
  unref?: () => void;
}

interface ThreadedWasmModule {
  PThread?: { unusedWorkers: PThreadWorker[]; runningWorkers: PThreadWorker[] };
  tfjs: { initWithThreadsCount(count: number): void; getThreadsCount(): number };
}

/** Outcome of starting the wasm backend with `requested` threads. */
export interface WasmThreadsResult {
  threads: number;
  /** Set when fewer threads than requested run, saying why. */
  note?: string;
}

const WORKER_LOAD_TIMEOUT_MS = 30_000;

/** The wasm module starts once per process; so does its thread pool. */
let firstStart: WasmThreadsResult | undefined;

/** XNNPACK threads of the started wasm backend; undefined before wasm has started in this process. */
export function wasmThreadsRunning(): number | undefined {
  return firstStart?.threads;
}

/**
 * Starts the wasm backend (`start` sets and readies it) with `threads` XNNPACK threads. With 1 thread this is the
 * stock single-threaded SIMD binary. Must run before the wasm backend is first initialised in this process.
 */
export async function startWasmWithThreads(threads: number, start: () => Promise<void>): Promise<WasmThreadsResult> {
  if (firstStart) {
    await start();
    if (firstStart.threads === threads) return firstStart;
    return { threads: firstStart.threads, note: `the wasm backend already runs with ${firstStart.threads} thread(s) in this process` };
  }
  firstStart = await startOnce(threads, start);
  return firstStart;
}

async function startOnce(threads: number, start: () => Promise<void>): Promise<WasmThreadsResult> {
  if (threads <= 1) {
    await start();
    return { threads: 1 };
  }
  const workerFile = writeWorkerScript();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  tfWasm.setThreadsCount(1);
  const restore = patchDuringStart({ workerFile, threads });
  try {
    await start();
  } finally {
    restore();
  }
  const module = (tf.backend() as unknown as { wasm: ThreadedWasmModule }).wasm;
  const pool = module.PThread;
  if (pool == null) return { threads: 1, note: 'the threaded wasm binary did not load' };
  const loaded = await waitFor(() => pool.unusedWorkers.every((worker) => worker.loaded === true), WORKER_LOAD_TIMEOUT_MS);
  if (!loaded) return { threads: 1, note: `the wasm pthread workers did not load within ${WORKER_LOAD_TIMEOUT_MS / 1000} s` };
  module.tfjs.initWithThreadsCount(threads);
  // Emscripten keeps the event loop alive while a pthread runs; XNNPACK's pool threads run (idle) forever, so without
  // this a finished Node program would never exit.
  for (const worker of pool.runningWorkers) worker.unref?.();
  const running = module.tfjs.getThreadsCount();
  return running === threads ? { threads } : { threads: running, note: `XNNPACK started ${running} of ${threads} threads` };
}

/** The pthread worker script as a file (same content → same file, written once, atomically). */
function writeWorkerScript(): string {
  const require = createRequire(moduleAnchor());
  const workerModule = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  const mainScript = path.join(path.dirname(workerModule), 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(workerModule) as { wasmWorkerContents: string };
  // The worker receives the main script as a Blob and turns it into an object URL before reading it as a file; here
  // that URL is the package's own main script, which defines the same factory.
  const prelude = `URL.createObjectURL=()=>${JSON.stringify(mainScript)};URL.revokeObjectURL=()=>{};`;
  // tfjs escapes newlines the same way before making its Blob: the minified worker is one line whose string literals
  // contain "\n" escapes that the template literal it ships in turned into real newlines.
  const source = prelude + wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `koenbert-tfjs-wasm-worker-${hash}.js`);
  if (!fs.existsSync(file)) {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, source);
    fs.renameSync(temp, file);
  }
  return file;
}

/**
 * A path to resolve packages from: this file in CommonJS and in the package's ESM build (tsup shims __filename); an
 * ESM bundle made by another tool (tools/bench bundles sources with esbuild) has none, and resolves from the cwd.
 */
function moduleAnchor(): string {
  return typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'index.js');
}

/** Swaps in the worker file for tfjs's Blob URL and the pool-sizing core count; returns the undo. */
function patchDuringStart(params: { workerFile: string; threads: number }): () => void {
  const { workerFile, threads } = params;
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (blob: Blob) => (blob?.type === 'application/javascript' ? workerFile : createObjectURL(blob));
  const realCpus = cpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => realCpus[i % realCpus.length]);
  return () => {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

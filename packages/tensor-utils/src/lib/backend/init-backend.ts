import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '../errors';
import { startKernelThreads } from '../wasm-kernels/koenbert-wasm/koenbert-wasm-runtime';
import { registerWasmKernels } from '../wasm-kernels/register-wasm-kernels';
import { asWasmBackend } from '../wasm-kernels/wasm-internals';
import { loadNativeBinding, type ModuleLoader } from './load-native-binding';
import { probeWebGpu, type WebGpuProbe } from './probe-webgpu';
import { startWebGpuBackend } from './start-webgpu-backend';
import { adapterName } from './webgpu-adapter';
import { resolveWasmThreads, startWasmWithThreads } from './wasm-threads';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  name: BackendName;
  /** Why this backend was picked, for the one log line. */
  reason: string;
}

export interface InitBackendParams {
  /** Wins over KOENBERT_BACKEND; without either: tensorflow when a native binding loads, else wasm. */
  backend?: BackendName;
  /** Receives the one line saying what was picked and why (default: silent). */
  logger?: (line: string) => void;
  /**
   * XNNPACK threads of the wasm backend (matrix products only); wins over KOENBERT_WASM_THREADS; default: all cores
   * (at most 8). Fixed for the process by the first wasm start.
   */
  wasmThreads?: number;
  /** Where KOENBERT_BACKEND and KOENBERT_WASM_THREADS are read (default process.env). */
  env?: Record<string, string | undefined>;
  /**
   * How the optional packages — @tensorflow/tfjs-node(-gpu), @tensorflow/tfjs-backend-webgpu — are loaded (default a
   * dynamic import); tests replace it, and bundles pass `(name) => import(name)` with literal names.
   */
  loadModule?: ModuleLoader;
  /** Tests replace how the WebGPU adapter is probed and how the webgpu backend is started. */
  webGpu?: { probe?: () => Promise<WebGpuProbe>; start?: () => Promise<void> };
}

const CPU_WARNING = 'warning: the cpu backend is plain JavaScript, ~300x slower than wasm: use it for tiny inference only, never to train';

let current: { request: string; choice: BackendChoice } | undefined;
let pending: { request: string; promise: Promise<BackendChoice> } | undefined;

/**
 * Picks and starts the tfjs backend; call once before any tensor work.
 * - default: @tensorflow/tfjs-node-gpu, else webgpu on a hardware GPU adapter, else @tensorflow/tfjs-node, else wasm.
 * - 'tensorflow': @tensorflow/tfjs-node-gpu, else @tensorflow/tfjs-node (whichever the user installed). When neither
 *   loads, falls back to wasm and says why.
 * - 'webgpu': @tensorflow/tfjs-backend-webgpu on Dawn (the optional `webgpu` package), on any adapter Dawn offers,
 *   software ones included (slow; for tests). Without an adapter, falls back to wasm and says why.
 * - 'wasm': @tensorflow/tfjs-backend-wasm with the project's kernels (registerWasmKernels). The default when no
 *   native binding is present.
 * - 'cpu': allowed, with a warning (pure JS, for tiny inference).
 * The choice comes from `backend`, else KOENBERT_BACKEND, else the default; what was picked and why is logged once.
 * Idempotent: calling it again with the same request returns the same choice and logs nothing.
 */
export async function initBackend(params: InitBackendParams = {}): Promise<BackendChoice> {
  const env = params.env ?? process.env;
  const { requested, source } = resolveRequest(params.backend, env.KOENBERT_BACKEND);
  const request = requested ?? 'default';
  if (current?.request === request && tf.getBackend() === current.choice.name) return current.choice;
  if (pending?.request === request) return pending.promise;
  const wasmThreads = resolveWasmThreads(params.wasmThreads, env.KOENBERT_WASM_THREADS);
  const promise = select({ requested, source, loadModule: params.loadModule, wasmThreads, webGpu: params.webGpu ?? {} });
  pending = { request, promise };
  try {
    const choice = await promise;
    current = { request, choice };
    params.logger?.(`backend: ${choice.name} (${choice.reason})`);
    return choice;
  } finally {
    if (pending?.promise === promise) pending = undefined;
  }
}

function resolveRequest(option: string | undefined, envValue: string | undefined): { requested?: BackendName; source: string } {
  if (option !== undefined) return { requested: parseBackendName(option, 'backend option'), source: `backend option '${option}'` };
  if (envValue !== undefined && envValue.trim() !== '') {
    const value = envValue.trim();
    return { requested: parseBackendName(value, 'KOENBERT_BACKEND'), source: `KOENBERT_BACKEND=${value}` };
  }
  return { source: 'default' };
}

function parseBackendName(value: string, where: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new KoenbertError({
    code: 'BACKEND_INVALID',
    message: `${where}: expected one of ${BACKEND_NAMES.map((name) => `"${name}"`).join(', ')}, got "${value}"`,
  });
}

async function select(params: {
  requested?: BackendName;
  source: string;
  loadModule?: ModuleLoader;
  wasmThreads: number;
  webGpu: NonNullable<InitBackendParams['webGpu']>;
}): Promise<BackendChoice> {
  const { requested, source } = params;
  const startWasm = () => startWasmBackend(params.wasmThreads);
  if (requested === 'cpu') {
    await start('cpu');
    // tfjs's cpu backend prints a banner on first use ("install the node backend"); our log line says it instead.
    (tf.backend() as { firstUse?: boolean }).firstUse = false;
    return { name: 'cpu', reason: `${source}; ${CPU_WARNING}` };
  }
  if (requested === 'wasm') {
    const threads = await startWasm();
    return { name: 'wasm', reason: `${source}; ${threads}` };
  }
  const probe = params.webGpu.probe ?? (() => probeWebGpu());
  const startWebGpu = params.webGpu.start ?? (() => startWebGpuBackend({ loadModule: params.loadModule }));
  if (requested === 'webgpu') {
    const found = await probe();
    const failure = found.available ? await tryStart(startWebGpu) : found.reason;
    if (failure === undefined) {
      const adapter = found.hardware || !found.adapter ? found.reason : `software adapter ${adapterName(found.adapter)} (slow: for tests)`;
      return { name: 'webgpu', reason: `${source}; ${adapter}` };
    }
    const threads = await startWasm();
    return { name: 'wasm', reason: `${source} requested, but webgpu did not start (${failure}); using wasm; ${threads}` };
  }
  if (requested === 'tensorflow') {
    const native = await loadNativeBinding({ loadModule: params.loadModule });
    if (native.ok) return startNative(native.packageName, source, startWasm);
    const threads = await startWasm();
    return { name: 'wasm', reason: `${source} requested, but no native binding loaded (${native.reason}); using wasm; ${threads}` };
  }
  // The default: tfjs-node-gpu, then webgpu on a hardware adapter, then tfjs-node, then wasm.
  const gpuBinding = await loadNativeBinding({ loadModule: params.loadModule, packages: ['@tensorflow/tfjs-node-gpu'] });
  if (gpuBinding.ok) return startNative(gpuBinding.packageName, source, startWasm);
  const found = await probe();
  let webGpuNote = `webgpu: ${found.reason}`;
  if (found.hardware) {
    const failure = await tryStart(startWebGpu);
    if (failure === undefined) return { name: 'webgpu', reason: `${source}: ${gpuBinding.reason}; webgpu on the ${found.reason}` };
    webGpuNote = `webgpu: ${found.reason} did not start (${failure})`;
  }
  const cpuBinding = await loadNativeBinding({ loadModule: params.loadModule, packages: ['@tensorflow/tfjs-node'] });
  if (cpuBinding.ok) return startNative(cpuBinding.packageName, source, startWasm);
  const threads = await startWasm();
  return { name: 'wasm', reason: `${source}: no native binding or hardware GPU (${gpuBinding.reason}; ${webGpuNote}; ${cpuBinding.reason}); using wasm; ${threads}` };
}

async function startNative(packageName: string, source: string, startWasm: () => Promise<string>): Promise<BackendChoice> {
  if (await tf.setBackend('tensorflow')) {
    await tf.ready();
    return { name: 'tensorflow', reason: `${source}: ${packageName} loaded` };
  }
  const threads = await startWasm();
  return { name: 'wasm', reason: `${source}: ${packageName} loaded but its backend did not start; using wasm; ${threads}` };
}

/** Runs `start`; undefined when it worked, else why not (one line). */
async function tryStart(start: () => Promise<void>): Promise<string | undefined> {
  try {
    await start();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

/**
 * Starts wasm with the project kernels and gives koenbert's kernels as many threads as XNNPACK got; returns e.g.
 * "2 threads" or "1 thread (of 2: why)" for the log line.
 */
async function startWasmBackend(threads: number): Promise<string> {
  registerWasmKernels();
  const result = await startWasmWithThreads(threads, () => start('wasm'));
  const count = `${result.threads} thread${result.threads === 1 ? '' : 's'}`;
  const kernelNote = await startKernels(result.threads);
  const notes = [result.note, kernelNote].filter((note) => note !== undefined).join('; ');
  return notes ? `${count} (of ${threads}: ${notes})` : count;
}

/** Starts the worker threads of koenbert's kernels; says why when they did not start (the kernels then run on one). */
async function startKernels(threads: number): Promise<string | undefined> {
  if (threads <= 1) return undefined;
  try {
    await startKernelThreads(asWasmBackend(tf.backend()), threads);
    return undefined;
  } catch (error) {
    return `koenbert's kernel threads did not start (${error instanceof Error ? error.message : String(error)}); its kernels run on one`;
  }
}

async function start(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) {
    throw new KoenbertError({ code: 'BACKEND_INIT_FAILED', message: `the ${name} backend of TensorFlow.js failed to start` });
  }
  await tf.ready();
}

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The `webgpu` package (Dawn for Node), loaded at run time only: it is an optional dependency the user installs.
 *
 * Its `index.js` is an ES module that requires `dist/<platform>-<arch>/dawn.node`; koenbert requires that binary
 * itself, so the same code works from ESM, CommonJS and jest.
 *
 * Dawn delivers every asynchronous result (mapAsync, adapters, devices) from a native function it hands to
 * `setImmediate`, which calls Dawn's ProcessEvents. koenbert keeps the latest such function (`pumpDawnEvents`) so that
 * a GPU buffer can be read back synchronously (tfjs's `dataSync`): map it, then call the pump until it is mapped.
 */

export interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<unknown>;
}

export type DawnLoader = () => DawnModule;

/** The install line printed wherever webgpu is missing. */
export const WEBGPU_INSTALL = 'npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0';

/** Dawn's native backend per platform: Vulkan on Linux, Metal on macOS, D3D12 on Windows. */
export function dawnBackendFlag(platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'linux') return 'backend=vulkan';
  if (platform === 'darwin') return 'backend=metal';
  if (platform === 'win32') return 'backend=d3d12';
  return undefined;
}

/** Requires webgpu's dawn.node for this platform; throws an Error whose message says what is missing. */
export const loadDawn: DawnLoader = () => {
  const require = createRequire(__filename);
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve('webgpu/package.json'));
  } catch (error) {
    throw Object.assign(new Error(`webgpu is not installed (${WEBGPU_INSTALL})`), { cause: error });
  }
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const binary = path.join(packageDir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!existsSync(binary)) throw new Error(`webgpu has no Dawn binary for ${process.platform}-${arch} (${binary} is missing)`);
  try {
    return require(binary) as DawnModule;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw Object.assign(new Error(`webgpu's Dawn binary failed to load (${message})`), { cause: error });
  }
};

let pump: (() => void) | undefined;
let pumpCaptureInstalled = false;

/**
 * Wraps setImmediate once so that Dawn's event-processing function is kept (see the module comment). Dawn looks
 * setImmediate up on the global of the realm it was loaded in, which under jest is not the test's globalThis: that
 * realm's global is reached through the Function constructor of one of Dawn's own functions.
 */
function capturePump(dawn: DawnModule): void {
  if (pumpCaptureInstalled) return;
  pumpCaptureInstalled = true;
  const realmFunction = (dawn.create as unknown as { constructor: FunctionConstructor }).constructor;
  const realm = realmFunction('return globalThis')() as typeof globalThis;
  const original = realm.setImmediate;
  const wrapped = function setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]) {
    if (typeof callback === 'function' && Function.prototype.toString.call(callback).includes('[native code]')) pump = callback as () => void;
    return original(callback, ...args);
  };
  realm.setImmediate = Object.assign(wrapped, original) as typeof globalThis.setImmediate;
}

/**
 * Runs Dawn's pending callbacks now (ProcessEvents), on this thread; false when Dawn has not handed koenbert its event
 * function (nothing asynchronous has been asked of Dawn yet, or a Dawn build that schedules differently).
 */
export function pumpDawnEvents(): boolean {
  if (!pump) return false;
  pump();
  return true;
}

let instance: { dawn: DawnModule; gpu: GpuLike } | undefined;

/** The process's one Dawn instance (`create([backend flag])`), created on first use; `load` replaces the loader in tests. */
export function dawnInstance(load: DawnLoader = loadDawn): { dawn: DawnModule; gpu: GpuLike } {
  if (instance) return instance;
  const dawn = load();
  capturePump(dawn);
  const flag = dawnBackendFlag();
  const gpu = dawn.create(flag ? [flag] : []);
  instance = { dawn, gpu };
  return instance;
}

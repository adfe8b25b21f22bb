import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/lib/backend/init-backend';
import { probeWebGpu, type WebGpuProbe } from '../src/lib/backend/probe-webgpu';
import { adapterName, isSoftwareAdapter, summarizeAdapter } from '../src/lib/backend/webgpu-adapter';
import { describeLoadFailure, loadNativeBinding } from '../src/lib/backend/load-native-binding';
import { KoenbertError } from '../src/lib/errors';
import { wasmKernelsRegistered } from '../src/lib/wasm-kernels/register-wasm-kernels';

// @tensorflow/tfjs-node and -node-gpu are not installed in this workspace, so the real loader exercises the
// "not installed" path; the other outcomes use a replaced loader.

function collect(): { lines: string[]; logger: (line: string) => void } {
  const lines: string[] = [];
  return { lines, logger: (line) => lines.push(line) };
}

/** What requiring tfjs-node does when its install script could not download libtensorflow (FACTS.md). */
function missingBindingError(): Error {
  return new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node.\nPlease run command ...');
}

// One XNNPACK thread: the threaded start has its own test file (wasm-threads.test.ts).
const ONE_THREAD = { KOENBERT_WASM_THREADS: '1' };

// What Dawn reports for Mesa's CPU Vulkan driver (read on the development machine) and for an NVIDIA H200 (read with
// tools/gpu-check.mjs, driver 580.159.04).
const LLVMPIPE = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1', isFallbackAdapter: true };
const NVIDIA = { vendor: 'nvidia', architecture: '', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04 580.159.4.0', isFallbackAdapter: false };
const LIMITS = { maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 };
const SOFTWARE_PROBE: WebGpuProbe = {
  available: true,
  hardware: false,
  adapter: { ...LLVMPIPE, ...LIMITS },
  reason: 'only a software adapter (mesa software: llvmpipe-llvm-15-0-6-256-bits- (llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1)), never picked automatically (KOENBERT_BACKEND=webgpu forces it)',
};
const NO_WEBGPU = { probe: async (): Promise<WebGpuProbe> => ({ available: false, hardware: false, reason: 'webgpu is not installed' }) };

describe('initBackend', () => {
  it('defaults to wasm with the project kernels when no native binding is installed, and says why', async () => {
    const { lines, logger } = collect();
    const choice = await initBackend({ env: ONE_THREAD, logger, webGpu: NO_WEBGPU });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsRegistered()).toBe(true);
    expect(choice.reason).toBe(
      'default: no native binding or hardware GPU (@tensorflow/tfjs-node-gpu is not installed; webgpu: webgpu is not installed; @tensorflow/tfjs-node is not installed); using wasm; 1 thread',
    );
    expect(lines).toEqual([`backend: wasm (${choice.reason})`]);
  });

  it('is idempotent: the same request again returns the same choice and logs nothing', async () => {
    const first = collect();
    const choice = await initBackend({ backend: 'wasm', env: ONE_THREAD, logger: first.logger });
    const again = collect();
    const [second, third] = await Promise.all([initBackend({ backend: 'wasm', logger: again.logger }), initBackend({ backend: 'wasm', logger: again.logger })]);
    expect(second).toBe(choice);
    expect(third).toBe(choice);
    expect(again.lines).toEqual([]);
  });

  it('takes KOENBERT_BACKEND when there is no option, and the option over KOENBERT_BACKEND', async () => {
    const fromEnv = await initBackend({ env: { ...ONE_THREAD, KOENBERT_BACKEND: 'cpu' } });
    expect(fromEnv.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(fromEnv.reason).toMatch(/^KOENBERT_BACKEND=cpu; warning: the cpu backend is plain JavaScript/);
    const fromOption = await initBackend({ backend: 'wasm', env: { ...ONE_THREAD, KOENBERT_BACKEND: 'cpu' } });
    expect(fromOption).toEqual({ name: 'wasm', reason: "backend option 'wasm'; 1 thread" });
    expect(tf.getBackend()).toBe('wasm');
    const blank = await initBackend({ env: { ...ONE_THREAD, KOENBERT_BACKEND: '  ' }, loadModule: () => Promise.reject(missingBindingError()), webGpu: NO_WEBGPU });
    expect(blank.reason).toMatch(/^default: /);
  });

  it('selects cpu only with a warning in the log line', async () => {
    const { lines, logger } = collect();
    const choice = await initBackend({ backend: 'cpu', logger });
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backend: cpu \(backend option 'cpu'; warning: .*for tiny inference only, never to train\)$/);
  });

  it('rejects an unknown KOENBERT_BACKEND or option with the allowed values', async () => {
    await expect(initBackend({ env: { ...ONE_THREAD, KOENBERT_BACKEND: 'gpu' } })).rejects.toThrow(
      new KoenbertError({ code: 'BACKEND_INVALID', message: 'KOENBERT_BACKEND: expected one of "tensorflow", "webgpu", "wasm", "cpu", got "gpu"' }),
    );
    await expect(initBackend({ backend: 'webgl' as never })).rejects.toMatchObject({ code: 'BACKEND_INVALID' });
  });

  it('falls back to wasm when tensorflow is asked for but tfjs-node is installed without its native library', async () => {
    const tried: string[] = [];
    const { lines, logger } = collect();
    const choice = await initBackend({
      env: { ...ONE_THREAD, KOENBERT_BACKEND: 'tensorflow' },
      logger,
      loadModule: async (name) => {
        tried.push(name);
        if (name === '@tensorflow/tfjs-node') throw missingBindingError();
        throw Object.assign(new Error(`Cannot find module '${name}' from 'init-backend.ts'`), { code: 'MODULE_NOT_FOUND' });
      },
    });
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toBe(
      'KOENBERT_BACKEND=tensorflow requested, but no native binding loaded (@tensorflow/tfjs-node-gpu is not installed; ' +
        '@tensorflow/tfjs-node is installed but its native library is missing (The Node.js native addon module (tfjs_binding.node) ' +
        'can not be found at path: /x/lib/napi-v8/tfjs_binding.node.: its install script did not download libtensorflow)); using wasm; 1 thread',
    );
    expect(lines).toEqual([`backend: wasm (${choice.reason})`]);
  });

  it('picks tensorflow by default when a native binding loads (tfjs-node-gpu first)', async () => {
    // Loading tfjs-node registers a backend named 'tensorflow'; a cpu backend under that name stands in for it.
    const tried: string[] = [];
    const choice = await initBackend({
      env: ONE_THREAD,
      loadModule: async (name) => {
        tried.push(name);
        tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
      },
    });
    try {
      expect(tried).toEqual(['@tensorflow/tfjs-node-gpu']);
      expect(choice).toEqual({ name: 'tensorflow', reason: 'default: @tensorflow/tfjs-node-gpu loaded' });
      expect(tf.getBackend()).toBe('tensorflow');
    } finally {
      await tf.setBackend('wasm');
      tf.removeBackend('tensorflow');
    }
  });

  it('passes over a software WebGPU adapter by default (llvmpipe), saying so, and takes tfjs-node next', async () => {
    const tried: string[] = [];
    const started: string[] = [];
    const choice = await initBackend({
      env: ONE_THREAD,
      loadModule: async (name) => {
        tried.push(name);
        throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
      },
      webGpu: { probe: async () => SOFTWARE_PROBE, start: async () => void started.push('webgpu') },
    });
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(started).toEqual([]);
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toBe(
      'default: no native binding or hardware GPU (@tensorflow/tfjs-node-gpu is not installed; webgpu: only a software adapter ' +
        '(mesa software: llvmpipe-llvm-15-0-6-256-bits- (llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1)), never picked automatically (KOENBERT_BACKEND=webgpu forces it); ' +
        '@tensorflow/tfjs-node is not installed); using wasm; 1 thread',
    );
  });

  it('picks webgpu by default on a hardware adapter: after tfjs-node-gpu, before tfjs-node', async () => {
    const tried: string[] = [];
    await tf.setBackend('cpu'); // so that the default request is not answered from the previous test's choice
    const hardware: WebGpuProbe = { available: true, hardware: true, adapter: { ...NVIDIA, ...LIMITS }, reason: 'hardware adapter nvidia: nvidia-h200 (NVIDIA: 580.159.04 580.159.4.0)' };
    const choice = await initBackend({
      env: ONE_THREAD,
      loadModule: async (name) => {
        tried.push(name);
        throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
      },
      // a cpu backend registered as 'webgpu' stands in for tfjs-backend-webgpu
      webGpu: {
        probe: async () => hardware,
        start: async () => {
          tf.registerBackend('webgpu', () => new MathBackendCPU(), 1);
          await tf.setBackend('webgpu');
        },
      },
    });
    try {
      expect(tried).toEqual(['@tensorflow/tfjs-node-gpu']);
      expect(choice).toEqual({ name: 'webgpu', reason: 'default: @tensorflow/tfjs-node-gpu is not installed; webgpu on the hardware adapter nvidia: nvidia-h200 (NVIDIA: 580.159.04 580.159.4.0)' });
      expect(tf.getBackend()).toBe('webgpu');
    } finally {
      await tf.setBackend('wasm');
      tf.removeBackend('webgpu');
    }
  });

  it('falls back to wasm when webgpu is forced but no adapter (or package) is there, and says why', async () => {
    const choice = await initBackend({ env: { ...ONE_THREAD, KOENBERT_BACKEND: 'webgpu' }, webGpu: NO_WEBGPU });
    expect(choice).toEqual({ name: 'wasm', reason: 'KOENBERT_BACKEND=webgpu requested, but webgpu did not start (webgpu is not installed); using wasm; 1 thread' });
    await tf.setBackend('cpu');
    const failing = await initBackend({
      backend: 'webgpu',
      env: ONE_THREAD,
      webGpu: { probe: async () => SOFTWARE_PROBE, start: () => Promise.reject(new Error('the webgpu backend of TensorFlow.js failed to start (x)\nmore')) },
    });
    expect(failing.reason).toBe("backend option 'webgpu' requested, but webgpu did not start (the webgpu backend of TensorFlow.js failed to start (x)); using wasm; 1 thread");
  });

  it('starts again (and logs again) when another backend was set in between', async () => {
    await initBackend({ backend: 'wasm' });
    await tf.setBackend('cpu');
    const { lines, logger } = collect();
    const choice = await initBackend({ backend: 'wasm', logger });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(lines).toHaveLength(1);
  });
});

describe('WebGPU adapters', () => {
  it.each([
    ['llvmpipe (Mesa, Dawn marks it fallback)', LLVMPIPE, true],
    ['llvmpipe without the fallback flag', { ...LLVMPIPE, isFallbackAdapter: false }, true],
    ['lavapipe', { vendor: 'mesa', architecture: '', device: 'lavapipe', description: 'lavapipe (LLVM 15)', isFallbackAdapter: false }, true],
    ['SwiftShader', { vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)', description: 'SwiftShader', isFallbackAdapter: false }, true],
    ['Microsoft Basic Render Driver (WARP)', { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver', isFallbackAdapter: false }, true],
    ['NVIDIA H200', NVIDIA, false],
    ['AMD through Mesa (radv)', { vendor: 'amd', architecture: 'rdna-3', device: '', description: 'AMD Radeon RX 7900 XTX (RADV NAVI31)', isFallbackAdapter: false }, false],
    ['Apple M2', { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2', isFallbackAdapter: false }, false],
  ])('%s: software %p', (_name, adapter, software) => {
    expect(isSoftwareAdapter(adapter)).toBe(software);
  });

  it('names adapters by vendor, architecture, device and description', () => {
    expect(adapterName({ ...NVIDIA, ...LIMITS })).toBe('nvidia: nvidia-h200 (NVIDIA: 580.159.04 580.159.4.0)');
    expect(adapterName({ ...LLVMPIPE, ...LIMITS, device: '' })).toBe('mesa software: llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1');
    expect(adapterName({ ...LIMITS, vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: false })).toBe('unknown vendor');
  });

  it('summarizes adapter info and limits', () => {
    expect(summarizeAdapter({ info: { ...LLVMPIPE }, limits: LIMITS })).toEqual({ ...LLVMPIPE, ...LIMITS });
    expect(summarizeAdapter({ isFallbackAdapter: true, limits: LIMITS })).toMatchObject({ vendor: '', isFallbackAdapter: true });
  });

  it('probes without throwing: a missing package is a reason; a real probe here reports the adapter with its limits', async () => {
    const missing = await probeWebGpu({
      loadDawn: () => {
        throw new Error('webgpu is not installed (npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0)');
      },
    });
    expect(missing).toEqual({ available: false, hardware: false, reason: 'webgpu is not installed (npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0)' });
    const real = await probeWebGpu();
    console.log(`probeWebGpu here: ${JSON.stringify(real)}`);
    if (real.available) {
      expect(real.adapter!.maxBufferSize).toBeGreaterThan(0);
      expect(real.adapter!.maxStorageBufferBindingSize).toBeGreaterThan(0);
      expect(real.hardware).toBe(!isSoftwareAdapter(real.adapter!));
    } else expect(real.reason).not.toBe('');
  });
});

describe('loadNativeBinding', () => {
  it('reports both packages as not installed here (the real dynamic import)', async () => {
    expect(await loadNativeBinding()).toEqual({
      ok: false,
      reason: '@tensorflow/tfjs-node-gpu is not installed; @tensorflow/tfjs-node is not installed',
    });
  });

  it.each([
    [Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x.mjs"), { code: 'ERR_MODULE_NOT_FOUND' }), '@tensorflow/tfjs-node is not installed'],
    // A missing dependency of the package is not the package missing.
    [Object.assign(new Error("Cannot find module 'node-fetch'"), { code: 'MODULE_NOT_FOUND' }), "@tensorflow/tfjs-node failed to load (Cannot find module 'node-fetch')"],
    [new Error('libcudart.so.11.0: cannot open shared object file\nmore'), '@tensorflow/tfjs-node is installed but the CUDA 11.2 / cuDNN 8.1 libraries it needs did not load (libcudart.so.11.0: cannot open shared object file): install them and put them on LD_LIBRARY_PATH, or use @tensorflow/tfjs-node instead'],
    [new Error('/x/napi-v8/tfjs_binding.node: invalid ELF header'), "@tensorflow/tfjs-node is installed but its native library is missing (/x/napi-v8/tfjs_binding.node: invalid ELF header: its install script did not download libtensorflow)"],
  ])('describes %p as %p', (error, expected) => {
    expect(describeLoadFailure('@tensorflow/tfjs-node', error)).toBe(expected);
  });
});

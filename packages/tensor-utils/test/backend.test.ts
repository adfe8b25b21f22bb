import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/lib/backend/init-backend';
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

describe('initBackend', () => {
  it('defaults to wasm with the project kernels when no native binding is installed, and says why', async () => {
    const { lines, logger } = collect();
    const choice = await initBackend({ env: ONE_THREAD, logger });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmKernelsRegistered()).toBe(true);
    expect(choice.reason).toMatch(/^default: no native binding \(@tensorflow\/tfjs-node-gpu is not installed; @tensorflow\/tfjs-node is not installed\); using wasm; 1 thread$/);
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
    const blank = await initBackend({ env: { ...ONE_THREAD, KOENBERT_BACKEND: '  ' }, loadModule: () => Promise.reject(missingBindingError()) });
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
      new KoenbertError({ code: 'BACKEND_INVALID', message: 'KOENBERT_BACKEND: expected one of "tensorflow", "wasm", "cpu", got "gpu"' }),
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
    [new Error('libcudart.so.11.0: cannot open shared object file\nmore'), '@tensorflow/tfjs-node failed to load (libcudart.so.11.0: cannot open shared object file)'],
  ])('describes %p as %p', (error, expected) => {
    expect(describeLoadFailure('@tensorflow/tfjs-node', error)).toBe(expected);
  });
});

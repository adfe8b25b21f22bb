import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/lib/backend/init-backend';
import { describeLoadFailure } from '../src/lib/backend/load-native-binding';
import type { WebGpuProbe } from '../src/lib/backend/probe-webgpu';
import { checkStepMemory } from '../src/lib/feasibility/check-step-memory';
import { memoryLimits } from '../src/lib/feasibility/memory-limits';

// What a user meets with the native backend (packages/tensor-utils/README.md, "The native backend"), through the
// stand-in loader: neither @tensorflow/tfjs-node nor -node-gpu can be installed on the development machine.

const NO_WEBGPU = { probe: async (): Promise<WebGpuProbe> => ({ available: false, hardware: false, reason: 'webgpu is not installed' }) };
const LIBCUDART = 'libcudart.so.11.0: cannot open shared object file: No such file or directory';

describe('the GPU build cannot load', () => {
  it('names the missing CUDA / cuDNN library and the two ways out', () => {
    expect(describeLoadFailure('@tensorflow/tfjs-node-gpu', new Error(`${LIBCUDART}\n    at Module._extensions..node`))).toBe(
      `@tensorflow/tfjs-node-gpu is installed but the CUDA 11.2 / cuDNN 8.1 libraries it needs did not load (${LIBCUDART}): install them and put them on LD_LIBRARY_PATH, or use @tensorflow/tfjs-node instead`,
    );
    expect(describeLoadFailure('@tensorflow/tfjs-node-gpu', new Error('libcudnn.so.8: cannot open shared object file'))).toContain('CUDA 11.2 / cuDNN 8.1');
  });

  it('by default falls through to @tensorflow/tfjs-node, and the log line says why the GPU build was passed over', async () => {
    const lines: string[] = [];
    const choice = await initBackend({
      env: { KOENBERT_WASM_THREADS: '1' },
      logger: (line) => lines.push(line),
      webGpu: NO_WEBGPU,
      loadModule: async (name) => {
        if (name === '@tensorflow/tfjs-node-gpu') throw new Error(LIBCUDART);
        // loading tfjs-node registers a backend named 'tensorflow'; a cpu backend under that name stands in for it
        tf.registerBackend('tensorflow', () => new MathBackendCPU(), 1);
      },
    });
    try {
      expect(choice).toEqual({ name: 'tensorflow', reason: 'default: @tensorflow/tfjs-node loaded' });
      expect(lines).toEqual(['backend: tensorflow (default: @tensorflow/tfjs-node loaded)']);
    } finally {
      await tf.setBackend('wasm');
      tf.removeBackend('tensorflow');
    }
  });

  it('KOENBERT_BACKEND=tensorflow with only the broken GPU build: wasm, and the reason names the CUDA library', async () => {
    const choice = await initBackend({
      env: { KOENBERT_BACKEND: 'tensorflow', KOENBERT_WASM_THREADS: '1' },
      webGpu: NO_WEBGPU,
      loadModule: async (name) => {
        if (name === '@tensorflow/tfjs-node-gpu') throw new Error(LIBCUDART);
        throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    expect(choice.name).toBe('wasm');
    expect(choice.reason).toContain('KOENBERT_BACKEND=tensorflow requested, but no native binding loaded (@tensorflow/tfjs-node-gpu is installed but the CUDA 11.2 / cuDNN 8.1 libraries');
    expect(choice.reason).toContain('@tensorflow/tfjs-node is not installed); using wasm');
  });
});

describe('memory on the native backend', () => {
  it('has no heap cap: a step wasm refuses runs, with a warning only when it outgrows the machine', () => {
    const GiB = 2 ** 30;
    const estimate = () => ({ totalBytes: 20 * GiB, largestTensor: { what: 'x', bytes: GiB }, parts: [['activations', 20 * GiB]] as Array<[string, number]> });
    const options = { batchSize: '--optim.batchSize', seqLength: '--data.maxLength' };
    const size = { batchSize: 16, seqLength: 256, gradAccumulation: 1 };
    expect(checkStepMemory({ what: 'distill', size, estimate, options, limits: memoryLimits({ backend: 'wasm', systemBytes: 64 * GiB }) }).fits).toBe(false);
    const big = checkStepMemory({ what: 'distill', size, estimate, options, limits: memoryLimits({ backend: 'tensorflow', systemBytes: 64 * GiB }) });
    expect(big).toMatchObject({ fits: true });
    expect(big.warning).toBeUndefined();
    const small = checkStepMemory({ what: 'distill', size, estimate, options, limits: memoryLimits({ backend: 'tensorflow', systemBytes: 16 * GiB }) });
    expect(small.fits).toBe(true);
    expect(small.warning).toContain("more than this machine's 16.0 GiB");
  });
});

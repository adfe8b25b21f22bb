import * as tf from '@tensorflow/tfjs';
import { KoenbertError } from '../errors';
import { importModule, type ModuleLoader } from './load-native-binding';
import { dawnInstance, pumpDawnEvents, WEBGPU_INSTALL } from './load-webgpu';

/**
 * Starts @tensorflow/tfjs-backend-webgpu on Dawn: Dawn's globals (GPUBufferUsage, …) and `navigator.gpu` are set
 * before the package is imported (it registers its backend only when `navigator.gpu` exists at import time), then the
 * backend is set and readied, and given a synchronous read (below). Throws a KoenbertError saying what failed.
 */
export async function startWebGpuBackend(params: { loadModule?: ModuleLoader } = {}): Promise<void> {
  const { dawn, gpu } = dawnInstance();
  Object.assign(globalThis, dawn.globals);
  const existing = (globalThis as { navigator?: object }).navigator;
  // Node ≥ 21 has a global navigator (a getter): define over it, keeping what it had.
  Object.defineProperty(globalThis, 'navigator', { value: { ...(existing ?? {}), gpu }, configurable: true, writable: true });
  try {
    await (params.loadModule ?? importModule)('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new KoenbertError({
      code: 'BACKEND_INIT_FAILED',
      message: `@tensorflow/tfjs-backend-webgpu could not be loaded (${WEBGPU_INSTALL})`,
      cause: error,
    });
  }
  let started = false;
  try {
    started = await tf.setBackend('webgpu');
  } catch (error) {
    throw new KoenbertError({ code: 'BACKEND_INIT_FAILED', message: `the webgpu backend of TensorFlow.js failed to start (${String(error)})`, cause: error });
  }
  if (!started) throw new KoenbertError({ code: 'BACKEND_INIT_FAILED', message: 'the webgpu backend of TensorFlow.js failed to start (see the warning above)' });
  await tf.ready();
  const backend = tf.backend() as unknown as WebGpuBackendInternals;
  watchValidationErrors(backend);
  installSyncRead(backend);
  chunkAddN(backend.device.limits.maxStorageBuffersPerShaderStage - 1);
}

/**
 * tfjs-backend-webgpu 4.22's AddN binds every input as a storage buffer: with more inputs than the device allows per
 * shader stage (8 on most devices, tfjs asks for no more) the pipeline is invalid and the result silently wrong
 * (`tf.addN` over a model's gradients: global-norm clipping). This AddN sums at most `maxInputs` at a time.
 */
function chunkAddN(maxInputs: number): void {
  const stock = tf.getKernel('AddN', 'webgpu');
  if (!stock || (stock as { koenbertChunked?: boolean }).koenbertChunked) return;
  tf.unregisterKernel('AddN', 'webgpu');
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    let tensors = args.inputs as unknown as tf.TensorInfo[];
    const backend = args.backend as unknown as { disposeData(dataId: object): void };
    const made: tf.TensorInfo[] = [];
    while (tensors.length > maxInputs) {
      const partials: tf.TensorInfo[] = [];
      for (let start = 0; start < tensors.length; start += maxInputs) {
        const chunk = tensors.slice(start, start + maxInputs);
        const partial = chunk.length === 1 ? chunk[0] : (stock.kernelFunc({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo);
        if (chunk.length > 1) made.push(partial);
        partials.push(partial);
      }
      tensors = partials;
    }
    const result = stock.kernelFunc({ ...args, inputs: tensors as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const partial of made) backend.disposeData(partial.dataId);
    return result;
  };
  tf.registerKernel({ ...stock, kernelFunc: Object.assign(kernelFunc, { koenbertChunked: true }) as unknown as tf.KernelFunc });
  Object.assign(tf.getKernel('AddN', 'webgpu') as object, { koenbertChunked: true });
}

let validationError: string | undefined;

/** WebGPU reports invalid pipelines and commands as events, not exceptions: the next synchronous read throws instead. */
function watchValidationErrors(backend: WebGpuBackendInternals): void {
  backend.device.addEventListener?.('uncapturederror', (event: { error?: { message?: string } }) => {
    validationError ??= (event.error?.message ?? 'unknown error').split('\n')[0];
  });
}

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend that a synchronous read needs. */
interface WebGpuBackendInternals {
  device: { limits: { maxStorageBuffersPerShaderStage: number }; addEventListener?(type: string, listener: (event: { error?: { message?: string } }) => void): void };
  tensorMap: { get(dataId: object): { values: tf.backend_util.BackendValues | null; dtype: tf.DataType; resource: GpuBuffer | null; complexTensorInfos?: { real: { dataId: object }; imag: { dataId: object } } } };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer; releaseBuffer(buffer: GpuBuffer): void };
  commandEncoder: { copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
  koenbertSyncRead?: boolean;
}

interface GpuBuffer {
  size: number;
  mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}

/**
 * tfjs-backend-webgpu reads synchronously (`dataSync`, `arraySync`) through an OffscreenCanvas, which Node lacks.
 * This read copies the tensor's buffer to a mappable one, submits, maps it, and runs Dawn's event processing on this
 * thread (sleeping a little between polls) until the map completes — the same steps as tfjs's own asynchronous read.
 */
function installSyncRead(backend: WebGpuBackendInternals): void {
  if (backend.koenbertSyncRead) return;
  backend.koenbertSyncRead = true;
  const { GPUBufferUsage, GPUMapMode } = globalThis as unknown as { GPUBufferUsage: Record<string, number>; GPUMapMode: Record<string, number> };
  const readSync = (dataId: object): tf.backend_util.BackendValues => {
    const data = backend.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values as tf.backend_util.BackendValues;
    if (data.dtype === 'complex64' && data.complexTensorInfos) {
      const real = readSync(data.complexTensorInfos.real.dataId) as Float32Array;
      const imag = readSync(data.complexTensorInfos.imag.dataId) as Float32Array;
      return backend.convertAndCacheOnCPU(dataId, tf.backend_util.mergeRealAndImagArrays(real, imag));
    }
    if (validationError !== undefined) {
      const message = validationError;
      validationError = undefined;
      throw new KoenbertError({ code: 'WEBGPU_VALIDATION', message: `webgpu: a GPU command was invalid, so results are wrong: ${message}` });
    }
    const source = data.resource as GpuBuffer;
    const staging = backend.bufferManager.acquireBuffer(source.size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.commandEncoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
    backend.submitQueue();
    let failure: unknown;
    staging.mapAsync(GPUMapMode.READ).catch((error: unknown) => {
      failure = error;
    });
    waitWhilePending(staging);
    if (staging.mapState !== 'mapped') {
      throw new KoenbertError({
        code: 'WEBGPU_READ_FAILED',
        message: `webgpu: reading a ${data.dtype} tensor back from the GPU failed (${failure instanceof Error ? failure.message : (failure ?? 'map state ' + staging.mapState)}); use await tensor.data()`,
        cause: failure,
      });
    }
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    backend.bufferManager.releaseBuffer(staging);
    return backend.convertAndCacheOnCPU(dataId, tf.util.convertBackendValuesAndArrayBuffer(bytes, data.dtype) as tf.backend_util.BackendValues);
  };
  backend.readSync = readSync;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Polls Dawn until the buffer's map is no longer pending: the first polls back to back, then sleeping up to 1 ms. */
function waitWhilePending(buffer: GpuBuffer): void {
  let sleepMs = 0.02;
  for (let polls = 0; buffer.mapState === 'pending'; polls++) {
    if (!pumpDawnEvents()) {
      throw new KoenbertError({
        code: 'WEBGPU_READ_FAILED',
        message: 'webgpu: this Dawn build gave koenbert no way to wait for the GPU synchronously; dataSync()/arraySync() cannot work, use await tensor.data()',
      });
    }
    if (buffer.mapState !== 'pending' || polls < 50) continue;
    Atomics.wait(sleeper, 0, 0, sleepMs);
    sleepMs = Math.min(1, sleepMs * 2);
  }
}

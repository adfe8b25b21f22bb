import os from 'node:os';
import type { BackendName } from '../backend/init-backend';
import type { WebGpuAdapterSummary } from '../backend/webgpu-adapter';

/** The wasm32 address space: tfjs-backend-wasm's heap can never grow past 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/** What bounds the tensors of a training step on a backend. */
export interface MemoryLimits {
  backend: BackendName;
  /** Hard cap on all tensors together (wasm: the 4 GiB heap); undefined: none known. */
  heapBytes?: number;
  /** Hard cap on one tensor (webgpu: the smaller of the adapter's maxBufferSize and maxStorageBufferBindingSize). */
  tensorBytes?: number;
  /** The machine's memory: going over it is a warning, not a refusal (tensorflow, cpu, webgpu's host side). */
  systemBytes: number;
  /** Names the caps in messages, e.g. "the wasm heap's 4 GiB". */
  heapName?: string;
  tensorName?: string;
}

/**
 * The limits a training step must respect on `backend`: wasm — the 4 GiB heap; webgpu — the adapter's largest buffer
 * for one tensor (no total: Dawn does not report GPU memory); tensorflow and cpu — none, only the machine's memory
 * (a warning).
 */
export function memoryLimits(params: { backend: BackendName; adapter?: Pick<WebGpuAdapterSummary, 'maxBufferSize' | 'maxStorageBufferBindingSize'>; systemBytes?: number }): MemoryLimits {
  const systemBytes = params.systemBytes ?? os.totalmem();
  if (params.backend === 'wasm') return { backend: 'wasm', heapBytes: WASM_HEAP_BYTES, systemBytes, heapName: "the wasm heap's 4 GiB" };
  if (params.backend === 'webgpu' && params.adapter) {
    const { maxBufferSize, maxStorageBufferBindingSize } = params.adapter;
    const tensorBytes = Math.min(maxBufferSize, maxStorageBufferBindingSize);
    return { backend: 'webgpu', tensorBytes, systemBytes, tensorName: `the WebGPU adapter's largest buffer a shader binds (${formatBytes(tensorBytes)})` };
  }
  return { backend: params.backend, systemBytes };
}

/** Bytes for people: "3.9 GiB", "512 MiB", "20 KiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  if (bytes >= 2 ** 20) return `${Math.round(bytes / 2 ** 20)} MiB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} KiB`;
}

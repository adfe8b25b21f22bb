/** What koenbert reads from a WebGPU adapter (GPUAdapterInfo plus the two limits that bound tensor sizes). */
export interface WebGpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's own verdict: a CPU implementation (SwiftShader, llvmpipe, lavapipe, WARP) or a "fallback" adapter. */
  isFallbackAdapter: boolean;
  /** Largest single GPU buffer, bytes: no tensor can be bigger. */
  maxBufferSize: number;
  /** Largest buffer a shader may bind, bytes: the practical limit on one tensor (an MLM logits tensor is the first to hit it). */
  maxStorageBufferBindingSize: number;
}

/** Names of CPU implementations of Vulkan / D3D12 / WebGPU, as they appear in adapter info. */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

/**
 * True when the adapter is a software (CPU) implementation, which koenbert never picks automatically: Dawn's
 * isFallbackAdapter, architecture "software" (Dawn's name for llvmpipe), or a known software driver in the vendor,
 * device or description strings.
 */
export function isSoftwareAdapter(adapter: Pick<WebGpuAdapterSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'isFallbackAdapter'>): boolean {
  if (adapter.isFallbackAdapter) return true;
  if (adapter.architecture.toLowerCase() === 'software') return true;
  return SOFTWARE_NAMES.test(`${adapter.vendor} ${adapter.device} ${adapter.description}`);
}

/**
 * One name for log lines: vendor and architecture, then the device and Dawn's description (for NVIDIA on Vulkan the
 * driver version), e.g. "nvidia: nvidia-h200 (NVIDIA: 580.159.04 580.159.4.0)" or
 * "mesa software: llvmpipe-llvm-15-0-6-256-bits- (llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1)".
 */
export function adapterName(adapter: WebGpuAdapterSummary): string {
  const kind = [adapter.vendor, adapter.architecture].filter((part) => part !== '').join(' ') || 'unknown vendor';
  const detail = adapter.device && adapter.description ? `${adapter.device} (${adapter.description})` : adapter.device || adapter.description;
  return detail ? `${kind}: ${detail}` : kind;
}

interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & { isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

/** Reads a GPUAdapter (Dawn's or a stand-in) into a plain summary. */
export function summarizeAdapter(adapter: AdapterLike): WebGpuAdapterSummary {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    maxBufferSize: Number(adapter.limits.maxBufferSize),
    maxStorageBufferBindingSize: Number(adapter.limits.maxStorageBufferBindingSize),
  };
}

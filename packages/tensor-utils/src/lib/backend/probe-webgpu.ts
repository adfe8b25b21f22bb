import { adapterName, isSoftwareAdapter, summarizeAdapter, type WebGpuAdapterSummary } from './webgpu-adapter';
import { dawnInstance, type DawnLoader } from './load-webgpu';

/** What Dawn found, and whether initBackend would pick it on its own. */
export interface WebGpuProbe {
  /** An adapter exists (hardware or software): `KOENBERT_BACKEND=webgpu` can start. */
  available: boolean;
  /** A hardware adapter exists: picked by default after tfjs-node-gpu. */
  hardware: boolean;
  adapter?: WebGpuAdapterSummary;
  /** One phrase: the adapter and why it is or is not picked, or why there is none. */
  reason: string;
}

let cached: Promise<WebGpuProbe> | undefined;

/**
 * Asks Dawn (the optional `webgpu` package) for its high-performance adapter — the one tfjs-backend-webgpu will take —
 * and says whether it is hardware. Software adapters (llvmpipe, lavapipe, SwiftShader, WARP) are reported but never
 * picked automatically. Never throws: a missing package or driver is a reason. The first real probe is cached for the
 * process; `loadDawn` (tests) bypasses the cache.
 */
export function probeWebGpu(params: { loadDawn?: DawnLoader } = {}): Promise<WebGpuProbe> {
  if (params.loadDawn) return probe(params.loadDawn);
  cached ??= probe();
  return cached;
}

async function probe(load?: DawnLoader): Promise<WebGpuProbe> {
  let gpu;
  try {
    gpu = dawnInstance(load).gpu;
  } catch (error) {
    return { available: false, hardware: false, reason: error instanceof Error ? error.message : String(error) };
  }
  let adapter: unknown;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { available: false, hardware: false, reason: `Dawn's requestAdapter failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  if (!adapter) {
    return {
      available: false,
      hardware: false,
      reason: 'Dawn found no WebGPU adapter (no usable GPU driver: on Linux a Vulkan driver, see the backend section of the README)',
    };
  }
  const summary = summarizeAdapter(adapter as Parameters<typeof summarizeAdapter>[0]);
  if (isSoftwareAdapter(summary)) {
    return {
      available: true,
      hardware: false,
      adapter: summary,
      reason: `only a software adapter (${adapterName(summary)}), never picked automatically (KOENBERT_BACKEND=webgpu forces it)`,
    };
  }
  return { available: true, hardware: true, adapter: summary, reason: `hardware adapter ${adapterName(summary)}` };
}

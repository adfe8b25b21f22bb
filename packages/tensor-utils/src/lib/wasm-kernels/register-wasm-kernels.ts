import * as tf from '@tensorflow/tfjs';
// Loads the wasm backend's own kernels first, so that ours replace them (and are not replaced by them later).
import '@tensorflow/tfjs-backend-wasm';
import { adamWUpdateConfig } from './adamw-update';
import { batchMatMulConfig } from './batch-mat-mul';
import { erfConfig, geluConfig, geluGradConfig } from './erf-gelu';
import { expConfig } from './exp';
import { fusedMatMulConfig } from './fused-mat-mul';
import { gatherRowsConfig } from './gather-rows';
import { layerNormConfig, layerNormGradConfig } from './layer-norm';
import { xentGradConfig, xentRowStatsConfig } from './softmax-cross-entropy';
import { identityConfig } from './identity';
import { castConfig, transposeConfig } from './no-op-transpose-cast';
import { stockKernels } from './stock-kernels';
import { sumConfig } from './sum';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';

/** The project's kernels for the wasm backend, by kernel name. */
export const WASM_KERNELS: readonly tf.KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  unsortedSegmentSumConfig,
  identityConfig,
  transposeConfig,
  castConfig,
  expConfig,
  sumConfig,
  gatherRowsConfig,
  erfConfig,
  adamWUpdateConfig,
  geluConfig,
  geluGradConfig,
  layerNormConfig,
  layerNormGradConfig,
  xentRowStatsConfig,
  xentGradConfig,
];

/**
 * Registers the project's wasm kernels (BatchMatMul, _FusedMatMul, UnsortedSegmentSum, Identity, Transpose/Cast for
 * their no-op cases, Exp, Erf and Sum for float32, GatherV2 for row lookups) in place of the stock ones, which are kept
 * for `unregisterWasmKernels`, and the fused kernels that AdamW, `gelu`, `layerNorm` and `sparseSoftmaxCrossEntropy` use where they are registered. Idempotent;
 * may be called before or after the wasm backend is initialised. initBackend calls it when it picks wasm.
 */
export function registerWasmKernels(): void {
  for (const config of WASM_KERNELS) {
    const current = getRegistered(config.kernelName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      stockKernels.set(config.kernelName, current);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    // A kernel that hands cases to the stock one needs the stock setup (its C++ entry points) when the backend starts.
    const setupFunc = config.setupFunc ?? stockKernels.get(config.kernelName)?.setupFunc;
    tf.registerKernel(setupFunc ? { ...config, setupFunc } : config);
  }
}

/** Puts the stock wasm kernels back (benchmarks and tests compare against them). */
export function unregisterWasmKernels(): void {
  for (const config of WASM_KERNELS) {
    const current = getRegistered(config.kernelName);
    if (current?.kernelFunc !== config.kernelFunc) continue;
    tf.unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernels.get(config.kernelName);
    if (stock == null) continue;
    tf.registerKernel(stock);
    // tfjs runs a kernel's setupFunc when the backend starts; a stock kernel swapped out before then never ran it.
    const started = tf.engine().registry.wasm;
    if (started && stock.setupFunc) stock.setupFunc(started);
  }
}

/** True when every project kernel is the registered one. */
export function wasmKernelsRegistered(): boolean {
  return WASM_KERNELS.every((config) => getRegistered(config.kernelName)?.kernelFunc === config.kernelFunc);
}

function getRegistered(kernelName: string): tf.KernelConfig | undefined {
  return tf.getKernel(kernelName, 'wasm') ?? undefined;
}

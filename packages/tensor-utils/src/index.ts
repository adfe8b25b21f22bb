export { KoenbertError, isKoenbertError } from './lib/errors';
export { writeFileAtomic, writeDirAtomic } from './lib/atomic-write';
export { decodeUtf8Strict } from './lib/utf8';
export { initBackend, type BackendName, type BackendChoice } from './lib/backend/init-backend';
export { wasmThreadsRunning } from './lib/backend/wasm-threads';
export { probeWebGpu, type WebGpuProbe } from './lib/backend/probe-webgpu';
export type { WebGpuAdapterSummary } from './lib/backend/webgpu-adapter';
export type { DType, TensorData, TensorEntry, TensorRecord, TensorSource } from './lib/safetensors/tensor-record';
export { toFloat32 } from './lib/safetensors/to-float32';
export { fromFloat32 } from './lib/safetensors/from-float32';
export { readSafetensors } from './lib/safetensors/read-safetensors';
export { readSafetensorsHeader, type SafetensorsEntry, type SafetensorsHeader } from './lib/safetensors/read-safetensors-header';
export { writeSafetensors } from './lib/safetensors/write-safetensors';
export { readTorchStateDict } from './lib/torch-pickle/read-torch-state-dict';
export { type HubOptions, type RepoType, hubOptionsOf } from './lib/hub/hub-options';
export { HubConfigSchema, type HubConfig } from './lib/hub/hub-config-schema';
export { refuseExistingOutput } from './lib/refuse-existing-output';
export { acquireOutputLock, type OutputLock } from './lib/output-lock';
export { resolveModelDir, type ResolveModelDirParams } from './lib/hub/resolve-model-dir';
export { listRepoFiles, type RepoFile } from './lib/hub/list-repo-files';
export { SeededRng } from './lib/seeded-rng';
export { AdamW, defaultDecayExcluded, type AdamWParams, type AdamWState } from './lib/adamw';
export { gelu } from './lib/gelu';
export { layerNorm } from './lib/layer-norm';
export { sparseSoftmaxCrossEntropy } from './lib/sparse-softmax-cross-entropy';
export { clipByGlobalNorm } from './lib/clip-by-global-norm';
export { applyTrainingStep, describeNonFinite, type TrainingStepParams, type TrainingStepResult } from './lib/train/apply-training-step';
export { linearWarmupDecay, constantWithWarmup } from './lib/lr-schedule';
export { JsonlLogger, type JsonlLoggerOptions } from './lib/jsonl-logger';
export { readJsonl } from './lib/read-jsonl';
export { truncateReplayedLog } from './lib/truncate-replayed-log';
export { resolveConfig, type ResolveConfigParams } from './lib/config/resolve-config';
export { parseWithSchema } from './lib/config/parse-with-schema';
export { describeSchema, type SchemaRow } from './lib/config/describe-schema';
export { etaSeconds, formatDuration, firstStepEvent, formatPlanDuration, type FirstStepEvent, type ProgressEvent } from './lib/progress-events';
export { BACKEND_NAMES, type InitBackendParams } from './lib/backend/init-backend';
export { registerWasmKernels, unregisterWasmKernels, wasmKernelsRegistered } from './lib/wasm-kernels/register-wasm-kernels';
export { memoryLimits, formatBytes, type MemoryLimits } from './lib/feasibility/memory-limits';
export {
  checkStepMemory,
  stepTooLargeError,
  isOutOfMemoryError,
  NATIVE_WAY_OUT,
  SUGGESTION_MARGIN,
  type StepSize,
  type StepNeed,
  type StepOptions,
  type StepMemoryCheck,
  type PlannedStep,
} from './lib/feasibility/check-step-memory';
export { explainOutOfMemory } from './lib/feasibility/explain-out-of-memory';

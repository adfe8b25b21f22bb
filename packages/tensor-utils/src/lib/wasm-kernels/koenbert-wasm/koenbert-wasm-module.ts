import v8 from 'node:v8';
import { KOENBERT_WASM_BASE64 } from './koenbert-wasm.generated';
import { webAssembly, type WasmCompiledModule, type WasmMemory } from './web-assembly-api';

/** The exports of csrc/*.c (pointers are byte offsets into the imported memory; see csrc for each contract). */
export interface KoenbertWasmExports {
  gemm_block(...args: number[]): void;
  gemm_scratch_floats(nc: number): number;
  exp_f32(x: number, out: number, n: number): void;
  sum_reduce(x: number, out: number, outer: number, reduce: number, inner: number): void;
  adamw_update(...args: number[]): void;
  erf_f32(x: number, out: number, n: number): void;
  gelu_f32(x: number, out: number, n: number): void;
  gelu_grad_f32(x: number, dy: number, dx: number, n: number): void;
  layer_norm_f32(...args: number[]): void;
  layer_norm_grad_f32(...args: number[]): void;
  xent_row_stats(logits: number, rows: number, cols: number, rowMax: number, rowSum: number): void;
  xent_grad(logits: number, targets: number, lse: number, rows: number, cols: number, scale: number, dlogits: number): void;
}

export interface KoenbertWasmModule {
  module: WasmCompiledModule;
  /** Whether multiply-adds use relaxed SIMD (FMA on x86) or plain SIMD128 mul + add. */
  simd: 'relaxed' | 'simd128';
}

const compiled = new Map<boolean, KoenbertWasmModule>();

/**
 * The compiled kernel module for a memory that is shared (tfjs's threaded binary) or not. Relaxed SIMD is preferred;
 * Node 20 validates it only behind a V8 flag, which is switched on here (it enables that wasm feature and nothing
 * else; Node 22 has it on by default). Engines that still refuse it get the SIMD128 build.
 */
export function koenbertWasmModule(shared: boolean): KoenbertWasmModule {
  const cached = compiled.get(shared);
  if (cached) return cached;
  const relaxed = decode(shared ? KOENBERT_WASM_BASE64.sharedRelaxed : KOENBERT_WASM_BASE64.unsharedRelaxed);
  if (!webAssembly.validate(relaxed)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const result: KoenbertWasmModule = webAssembly.validate(relaxed)
    ? { module: new webAssembly.Module(relaxed), simd: 'relaxed' }
    : { module: new webAssembly.Module(decode(shared ? KOENBERT_WASM_BASE64.sharedSimd128 : KOENBERT_WASM_BASE64.unsharedSimd128)), simd: 'simd128' };
  compiled.set(shared, result);
  return result;
}

export function instantiateKoenbertWasm(module: WasmCompiledModule, memory: WasmMemory): KoenbertWasmExports {
  return new webAssembly.Instance(module, { env: { memory } }).exports as unknown as KoenbertWasmExports;
}

function decode(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

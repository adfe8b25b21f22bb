import { KoenbertError } from '../../errors';

export const WASM_GEMM_ENGINES = ['koenbert', 'xnnpack'] as const;
export type WasmGemmEngine = (typeof WASM_GEMM_ENGINES)[number];

/**
 * Which GEMM the wasm BatchMatMul/_FusedMatMul kernels run: 'koenbert' (csrc/gemm.c, the default) or 'xnnpack'
 * (tfjs's own, kept for comparison: KOENBERT_WASM_GEMM=xnnpack). Read at every call, so a benchmark can switch.
 */
export function wasmGemmEngine(env: Record<string, string | undefined> = process.env): WasmGemmEngine {
  const value = env.KOENBERT_WASM_GEMM?.trim();
  if (value === undefined || value === '') return 'koenbert';
  if ((WASM_GEMM_ENGINES as readonly string[]).includes(value)) return value as WasmGemmEngine;
  throw new KoenbertError({ code: 'BACKEND_INVALID', message: `KOENBERT_WASM_GEMM: expected "koenbert" or "xnnpack", got "${value}"` });
}

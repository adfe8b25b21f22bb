/*
 * Shared definitions of koenbert's wasm kernels (gemm.c, exp.c, sum.c), which tools/build-wasm-kernels.mjs links
 * into one module that imports tfjs's own WebAssembly.Memory, so that they read and write tensors where tfjs keeps
 * them (no copies). That dictates two rules for every file:
 *   - no static data and no address-taken locals: the module has no memory of its own, so anything the linker would
 *     place in linear memory (data segments, the C stack) would land on top of tfjs's heap. The build script refuses
 *     a binary with a data segment or a global access (the C stack pointer).
 *   - every buffer (tensors and scratch) is a pointer the caller passes in.
 */
#ifndef KOENBERT_WASM_H
#define KOENBERT_WASM_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* acc + a * b: one fused multiply-add with relaxed SIMD (FMA on x86 with FMA3), else a multiply and an add. */
#ifdef KOENBERT_RELAXED_SIMD
#define MADD(a, b, acc) wasm_f32x4_relaxed_madd(a, b, acc)
#else
#define MADD(a, b, acc) wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))
#endif

static inline int min_int(int a, int b) { return a < b ? a : b; }

static inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#endif

/*
 * erf and the exact GELU, x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, with its derivative, four lanes at a time. tfjs runs
 * the GELU as five element-wise kernels forward (erf being the C library's scalar erff) and about ten backward, each
 * a full pass over the [tokens, FFN] activations. Method for erf: koenbert_math.h.
 */
#include "koenbert_math.h"

#define SQRT1_2 0.70710678118654752f
/* 1 / sqrt(2 pi) */
#define INV_SQRT_2PI 0.39894228040143268f

EXPORT("erf_f32")
void erf_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, erf_f32x4(wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(erf_f32x4(wasm_f32x4_splat(x[i])), 0);
}

static inline v128_t gelu_f32x4(v128_t x) {
  v128_t half = wasm_f32x4_splat(0.5f);
  v128_t cdf = MADD(half, erf_f32x4(wasm_f32x4_mul(x, wasm_f32x4_splat(SQRT1_2))), half);
  return wasm_f32x4_mul(x, cdf);
}

/* dy (Phi(x) + x phi(x)), phi(x) = e^(-x^2 / 2) / sqrt(2 pi) */
static inline v128_t gelu_grad_f32x4(v128_t x, v128_t dy) {
  v128_t half = wasm_f32x4_splat(0.5f);
  v128_t cdf = MADD(half, erf_f32x4(wasm_f32x4_mul(x, wasm_f32x4_splat(SQRT1_2))), half);
  v128_t pdf = wasm_f32x4_mul(exp_f32x4(wasm_f32x4_mul(wasm_f32x4_mul(x, x), wasm_f32x4_splat(-0.5f))), wasm_f32x4_splat(INV_SQRT_2PI));
  return wasm_f32x4_mul(dy, MADD(x, pdf, cdf));
}

EXPORT("gelu_f32")
void gelu_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, gelu_f32x4(wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(gelu_f32x4(wasm_f32x4_splat(x[i])), 0);
}

EXPORT("gelu_grad_f32")
void gelu_grad_f32(const float *x, const float *dy, float *dx, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dx + i, gelu_grad_f32x4(wasm_v128_load(x + i), wasm_v128_load(dy + i)));
  for (; i < n; i++) {
    dx[i] = wasm_f32x4_extract_lane(gelu_grad_f32x4(wasm_f32x4_splat(x[i]), wasm_f32x4_splat(dy[i])), 0);
  }
}

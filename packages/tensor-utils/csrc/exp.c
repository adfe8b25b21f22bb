/*
 * e^x over float32 arrays, four lanes at a time (tfjs's wasm Exp calls the C library's scalar expf per element, and
 * softmax-cross-entropy over a 30k-token vocabulary spends most of its time there).
 *
 * Method (Cody-Waite reduction): x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2, ln2 split into a part with few
 * significant bits (n * ln2_hi is exact) and a correction; e^r = 1 + r + r^2 P(r) with the degree-5 minimax P of
 * Cephes' expf; e^x = e^r 2^n. Accuracy: within 2 ulp of the correctly rounded result for normal results (checked
 * against float64 in test/wasm-kernels-exp-sum.test.ts). 2^n is applied as two factors 2^(n/2), so results that
 * overflow become +inf and tiny results become subnormal or 0 exactly as the product rounds, with no special cases;
 * NaN stays NaN (wasm's min/max propagate it).
 */
#include "koenbert_wasm.h"

static inline v128_t exp_f32x4(v128_t x) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  /* e^89 > FLT_MAX and e^-104 < half the smallest subnormal: clamping there changes no result. */
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-104.0f)), wasm_f32x4_splat(89.0f));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = MADD(n, wasm_f32x4_splat(-0.693359375f), x);
  r = MADD(n, wasm_f32x4_splat(2.12194440e-4f), r);
  v128_t p = wasm_f32x4_splat(1.9875691500e-4f);
  p = MADD(p, r, wasm_f32x4_splat(1.3981999507e-3f));
  p = MADD(p, r, wasm_f32x4_splat(8.3334519073e-3f));
  p = MADD(p, r, wasm_f32x4_splat(4.1665795894e-2f));
  p = MADD(p, r, wasm_f32x4_splat(1.6666665459e-1f));
  p = MADD(p, r, wasm_f32x4_splat(5.0000001201e-1f));
  p = MADD(p, wasm_f32x4_mul(r, r), wasm_f32x4_add(r, one));
  v128_t whole = wasm_i32x4_trunc_sat_f32x4(n);
  v128_t half = wasm_i32x4_shr(whole, 1);
  v128_t rest = wasm_i32x4_sub(whole, half);
  v128_t bias = wasm_i32x4_splat(127);
  v128_t scale_half = wasm_i32x4_shl(wasm_i32x4_add(half, bias), 23);
  v128_t scale_rest = wasm_i32x4_shl(wasm_i32x4_add(rest, bias), 23);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, scale_half), scale_rest);
}

/* out[i] = e^x[i] for i < n; out may be x. */
EXPORT("exp_f32")
void exp_f32(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t a = exp_f32x4(wasm_v128_load(x + i));
    v128_t b = exp_f32x4(wasm_v128_load(x + i + 4));
    wasm_v128_store(out + i, a);
    wasm_v128_store(out + i + 4, b);
  }
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(exp_f32x4(wasm_f32x4_splat(x[i])), 0);
}

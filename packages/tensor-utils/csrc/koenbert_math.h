/*
 * Vector math shared by the element-wise kernels (static inline: each kernel file gets its own copy, no call).
 *
 * exp: Cody-Waite reduction x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2, ln2 split into a part with few
 * significant bits (n * ln2_hi is exact) and a correction; e^r = 1 + r + r^2 P(r) with the degree-5 minimax P of
 * Cephes' expf; e^x = e^r 2^n. Within 2 ulp of the correctly rounded result for normal results. 2^n is applied as two
 * factors 2^(n/2), so results that overflow become +inf and tiny results become subnormal or 0 exactly as the product
 * rounds, with no special cases; NaN stays NaN (wasm's min/max propagate it).
 *
 * erf: for |x| < 1, x P(x^2) with P of degree 6; for 1 <= |x| < 3.92, 1 - e^(-x^2) Q(|x| - 2.5) with Q of degree 10
 * fitting erfc(x) e^(x^2); beyond, +-1 (erf rounds to 1 in float32). P and Q are least-squares fits (relative error,
 * 4000-6000 Chebyshev nodes, numpy) rounded to float32; evaluated in float32 they stay within 3 ulp of erf (checked in
 * test/wasm-kernels-exp-sum.test.ts against tools/golden/make-erf-golden.py).
 */
#ifndef KOENBERT_MATH_H
#define KOENBERT_MATH_H

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

static inline v128_t erf_f32x4(v128_t x) {
  v128_t ax = wasm_f32x4_abs(x);
  v128_t t = wasm_f32x4_mul(ax, ax);
  v128_t p = wasm_f32x4_splat(7.898209878476337e-05f);
  p = MADD(p, t, wasm_f32x4_splat(-0.0008024353883229196f));
  p = MADD(p, t, wasm_f32x4_splat(0.00519005348905921f));
  p = MADD(p, t, wasm_f32x4_splat(-0.026854809373617172f));
  p = MADD(p, t, wasm_f32x4_splat(0.11283612251281738f));
  p = MADD(p, t, wasm_f32x4_splat(-0.3761262893676758f));
  p = MADD(p, t, wasm_f32x4_splat(1.128379225730896f));
  v128_t small = wasm_f32x4_mul(ax, p);
  v128_t u = wasm_f32x4_sub(ax, wasm_f32x4_splat(2.5f));
  v128_t q = wasm_f32x4_splat(1.4981338836150826e-06f);
  q = MADD(q, u, wasm_f32x4_splat(-6.334183126455173e-06f));
  q = MADD(q, u, wasm_f32x4_splat(1.531716225144919e-05f));
  q = MADD(q, u, wasm_f32x4_splat(-5.3845422371523455e-05f));
  q = MADD(q, u, wasm_f32x4_splat(0.0002111083740601316f));
  q = MADD(q, u, wasm_f32x4_splat(-0.0007385663921013474f));
  q = MADD(q, u, wasm_f32x4_splat(0.002467445330694318f));
  q = MADD(q, u, wasm_f32x4_splat(-0.007999609224498272f));
  q = MADD(q, u, wasm_f32x4_splat(0.02493780478835106f));
  q = MADD(q, u, wasm_f32x4_splat(-0.07434755563735962f));
  q = MADD(q, u, wasm_f32x4_splat(0.21080636978149414f));
  v128_t one = wasm_f32x4_splat(1.0f);
  v128_t large = wasm_f32x4_sub(one, wasm_f32x4_mul(exp_f32x4(wasm_f32x4_neg(t)), q));
  large = wasm_v128_bitselect(one, large, wasm_f32x4_ge(ax, wasm_f32x4_splat(3.92f)));
  v128_t magnitude = wasm_v128_bitselect(small, large, wasm_f32x4_lt(ax, one));
  /* erf is odd: the sign of x on |erf(x)| (NaN passes through: every comparison with it is false) */
  v128_t sign = wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000u));
  return wasm_v128_or(magnitude, sign);
}

#endif

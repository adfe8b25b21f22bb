/*
 * e^x over float32 arrays, four lanes at a time (tfjs's wasm Exp calls the C library's scalar expf per element, and
 * softmax-cross-entropy over a 30k-token vocabulary spends most of its time there). Method: koenbert_math.h.
 */
#include "koenbert_math.h"

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

/*
 * Sums over one contiguous run of axes: x viewed as [outer, reduce, inner] gives out [outer, inner]. tfjs's wasm Sum
 * transposes reduced axes to the end first and then adds one float at a time; bias and layer-norm gradients (sums over
 * the batch and sequence axes) and softmax denominators are all of this shape.
 */
#include "koenbert_wasm.h"

/* Sum of n contiguous floats in 16 interleaved partial sums (fewer dependent adds, and a smaller rounding error). */
static float sum_contiguous(const float *x, int n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + i + 4));
    s2 = wasm_f32x4_add(s2, wasm_v128_load(x + i + 8));
    s3 = wasm_f32x4_add(s3, wasm_v128_load(x + i + 12));
  }
  for (; i + 4 <= n; i += 4) s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
  float total = horizontal_sum(wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3)));
  for (; i < n; i++) total += x[i];
  return total;
}

/* out[i] = sum over r of x[r * inner + i], for i < inner: 16, then 4, then 1 columns at a time, in registers. */
static void sum_strided(const float *x, float *out, int reduce, int inner) {
  int i = 0;
  for (; i + 16 <= inner; i += 16) {
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
    for (int r = 0; r < reduce; r++) {
      const float *row = x + r * inner + i;
      s0 = wasm_f32x4_add(s0, wasm_v128_load(row));
      s1 = wasm_f32x4_add(s1, wasm_v128_load(row + 4));
      s2 = wasm_f32x4_add(s2, wasm_v128_load(row + 8));
      s3 = wasm_f32x4_add(s3, wasm_v128_load(row + 12));
    }
    wasm_v128_store(out + i, s0);
    wasm_v128_store(out + i + 4, s1);
    wasm_v128_store(out + i + 8, s2);
    wasm_v128_store(out + i + 12, s3);
  }
  for (; i + 4 <= inner; i += 4) {
    v128_t s = wasm_f32x4_splat(0.0f);
    for (int r = 0; r < reduce; r++) s = wasm_f32x4_add(s, wasm_v128_load(x + r * inner + i));
    wasm_v128_store(out + i, s);
  }
  for (; i < inner; i++) {
    float s = 0.0f;
    for (int r = 0; r < reduce; r++) s += x[r * inner + i];
    out[i] = s;
  }
}

EXPORT("sum_reduce")
void sum_reduce(const float *x, float *out, int outer, int reduce, int inner) {
  for (int o = 0; o < outer; o++) {
    const float *block = x + o * reduce * inner;
    if (inner == 1) {
      out[o] = sum_contiguous(block, reduce);
    } else {
      sum_strided(block, out + o * inner, reduce, inner);
    }
  }
}

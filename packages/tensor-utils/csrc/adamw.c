/*
 * One AdamW step over a parameter in a single pass (tfjs runs it as 13 element-wise kernels, each a full pass over
 * the parameter-sized arrays). The float32 operations and their order are exactly those of the op-by-op path in
 * src/lib/adamw.ts, so both give the same bits (the build uses -ffp-contract=off: no fused multiply-add here):
 *   m' = m b1 + g (1 - b1);  v' = v b2 + (g (1 - b2)) g
 *   p' = p d + (m' / (sqrt(v') / c2 + eps)) (-s)      (d = 1 - lr wd; without decay d = 1, and p 1 = p exactly)
 */
#include "koenbert_wasm.h"

EXPORT("adamw_update")
void adamw_update(const float *param, const float *grad, const float *m, const float *v, float *param_out, float *m_out,
                  float *v_out, int n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                  float bias_correction2_sqrt, float epsilon, float neg_step_size, float decay_factor) {
  int i = 0;
  v128_t b1 = wasm_f32x4_splat(beta1), c1 = wasm_f32x4_splat(one_minus_beta1);
  v128_t b2 = wasm_f32x4_splat(beta2), c2 = wasm_f32x4_splat(one_minus_beta2);
  v128_t bc2 = wasm_f32x4_splat(bias_correction2_sqrt), eps = wasm_f32x4_splat(epsilon);
  v128_t step_scale = wasm_f32x4_splat(neg_step_size), keep = wasm_f32x4_splat(decay_factor);
  for (; i + 4 <= n; i += 4) {
    v128_t g = wasm_v128_load(grad + i);
    v128_t m1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(g, c1));
    v128_t v1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(g, c2), g));
    v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v1), bc2), eps);
    v128_t step = wasm_f32x4_mul(wasm_f32x4_div(m1, denom), step_scale);
    v128_t p = wasm_f32x4_mul(wasm_v128_load(param + i), keep);
    wasm_v128_store(m_out + i, m1);
    wasm_v128_store(v_out + i, v1);
    wasm_v128_store(param_out + i, wasm_f32x4_add(p, step));
  }
  for (; i < n; i++) {
    float g = grad[i];
    float m1 = m[i] * beta1 + g * one_minus_beta1;
    float v1 = v[i] * beta2 + (g * one_minus_beta2) * g;
    float step = (m1 / (__builtin_sqrtf(v1) / bias_correction2_sqrt + epsilon)) * neg_step_size;
    float p = param[i] * decay_factor;
    m_out[i] = m1;
    v_out[i] = v1;
    param_out[i] = p + step;
  }
}

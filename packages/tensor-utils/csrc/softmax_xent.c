/*
 * Softmax cross-entropy over rows of logits with one target class per row (-1: the row is ignored), in two kernels:
 * per-row statistics (max and sum of e^(x - max), from which the caller forms the log-sum-exp), then the gradient
 * (softmax - one-hot) * scale in one pass. tfjs runs log-softmax as max, sub, exp, sum, log and sub over the whole
 * [tokens, vocabulary] matrix, gathers the targets from it, and back-propagates through all of that.
 */
#include "koenbert_math.h"

EXPORT("xent_row_stats")
void xent_row_stats(const float *logits, int rows, int cols, float *row_max, float *row_sum) {
  for (int r = 0; r < rows; r++) {
    const float *x = logits + r * cols;
    v128_t m = wasm_f32x4_splat(-__builtin_inff());
    int i = 0;
    for (; i + 4 <= cols; i += 4) m = wasm_f32x4_pmax(m, wasm_v128_load(x + i));
    float lane0 = wasm_f32x4_extract_lane(m, 0), lane1 = wasm_f32x4_extract_lane(m, 1);
    float lane2 = wasm_f32x4_extract_lane(m, 2), lane3 = wasm_f32x4_extract_lane(m, 3);
    float max01 = lane0 > lane1 ? lane0 : lane1, max23 = lane2 > lane3 ? lane2 : lane3;
    float max = max01 > max23 ? max01 : max23;
    for (; i < cols; i++) max = x[i] > max ? x[i] : max;
    v128_t shift = wasm_f32x4_splat(max), s0 = wasm_f32x4_splat(0.0f), s1 = s0;
    i = 0;
    for (; i + 8 <= cols; i += 8) {
      s0 = wasm_f32x4_add(s0, exp_f32x4(wasm_f32x4_sub(wasm_v128_load(x + i), shift)));
      s1 = wasm_f32x4_add(s1, exp_f32x4(wasm_f32x4_sub(wasm_v128_load(x + i + 4), shift)));
    }
    float sum = horizontal_sum(wasm_f32x4_add(s0, s1));
    for (; i < cols; i++) sum += wasm_f32x4_extract_lane(exp_f32x4(wasm_f32x4_splat(x[i] - max)), 0);
    row_max[r] = max;
    row_sum[r] = sum;
  }
}

/* dlogits[r, j] = (e^(x[r, j] - lse[r]) - [j == target[r]]) * scale; rows with target < 0 get 0. */
EXPORT("xent_grad")
void xent_grad(const float *logits, const int *targets, const float *lse, int rows, int cols, float scale, float *dlogits) {
  v128_t s = wasm_f32x4_splat(scale);
  for (int r = 0; r < rows; r++) {
    const float *x = logits + r * cols;
    float *d = dlogits + r * cols;
    int target = targets[r];
    int i = 0;
    if (target < 0) {
      for (; i < cols; i++) d[i] = 0.0f;
      continue;
    }
    v128_t shift = wasm_f32x4_splat(lse[r]);
    for (; i + 4 <= cols; i += 4) wasm_v128_store(d + i, wasm_f32x4_mul(exp_f32x4(wasm_f32x4_sub(wasm_v128_load(x + i), shift)), s));
    for (; i < cols; i++) d[i] = wasm_f32x4_extract_lane(exp_f32x4(wasm_f32x4_splat(x[i] - lse[r])), 0) * scale;
    d[target] -= scale;
  }
}

/*
 * Layer normalization over the last axis, forward and backward, one row at a time (tfjs runs it as 9 element-wise
 * kernels forward and about 15 backward, with the row statistics broadcast back over every element).
 *   forward:  mean, var = mean((x - mean)^2) (two passes, as the op path), rstd = 1 / sqrt(var + eps),
 *             y = ((x - mean) rstd) gamma + beta
 *   backward: xhat = (x - mean) rstd, g = dy gamma,
 *             dx = rstd (g - mean(g) - xhat mean(g xhat)),  dgamma = sum over rows of dy xhat,  dbeta = sum of dy
 */
#include "koenbert_wasm.h"

static float row_sum(const float *x, int n) {
  v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = wasm_f32x4_add(s0, wasm_v128_load(x + i));
    s1 = wasm_f32x4_add(s1, wasm_v128_load(x + i + 4));
  }
  float total = horizontal_sum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) total += x[i];
  return total;
}

static float row_squared_deviation(const float *x, float mean, int n) {
  v128_t m = wasm_f32x4_splat(mean), s0 = wasm_f32x4_splat(0.0f), s1 = s0;
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t d0 = wasm_f32x4_sub(wasm_v128_load(x + i), m);
    v128_t d1 = wasm_f32x4_sub(wasm_v128_load(x + i + 4), m);
    s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(d0, d0));
    s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(d1, d1));
  }
  float total = horizontal_sum(wasm_f32x4_add(s0, s1));
  for (; i < n; i++) total += (x[i] - mean) * (x[i] - mean);
  return total;
}

EXPORT("layer_norm_f32")
void layer_norm_f32(const float *x, const float *gamma, const float *beta, float *y, float *mean_out, float *rstd_out,
                    int rows, int cols, float eps) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float mean = row_sum(xr, cols) / (float)cols;
    float rstd = 1.0f / __builtin_sqrtf(row_squared_deviation(xr, mean, cols) / (float)cols + eps);
    mean_out[r] = mean;
    rstd_out[r] = rstd;
    v128_t m = wasm_f32x4_splat(mean), s = wasm_f32x4_splat(rstd);
    int i = 0;
    for (; i + 4 <= cols; i += 4) {
      v128_t normalized = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), m), s);
      wasm_v128_store(yr + i, wasm_f32x4_add(wasm_f32x4_mul(normalized, wasm_v128_load(gamma + i)), wasm_v128_load(beta + i)));
    }
    for (; i < cols; i++) yr[i] = (xr[i] - mean) * rstd * gamma[i] + beta[i];
  }
}

EXPORT("layer_norm_grad_f32")
void layer_norm_grad_f32(const float *dy, const float *x, const float *gamma, const float *mean, const float *rstd,
                         float *dx, float *dgamma, float *dbeta, int rows, int cols) {
  for (int i = 0; i < cols; i++) dgamma[i] = dbeta[i] = 0.0f;
  float inv_cols = 1.0f / (float)cols;
  for (int r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols, *xr = x + r * cols;
    float *dxr = dx + r * cols;
    v128_t m = wasm_f32x4_splat(mean[r]), s = wasm_f32x4_splat(rstd[r]);
    v128_t sum_g = wasm_f32x4_splat(0.0f), sum_gx = sum_g;
    int i = 0;
    for (; i + 4 <= cols; i += 4) {
      v128_t d = wasm_v128_load(dyr + i);
      v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), m), s);
      v128_t g = wasm_f32x4_mul(d, wasm_v128_load(gamma + i));
      sum_g = wasm_f32x4_add(sum_g, g);
      sum_gx = wasm_f32x4_add(sum_gx, wasm_f32x4_mul(g, xhat));
      wasm_v128_store(dgamma + i, wasm_f32x4_add(wasm_v128_load(dgamma + i), wasm_f32x4_mul(d, xhat)));
      wasm_v128_store(dbeta + i, wasm_f32x4_add(wasm_v128_load(dbeta + i), d));
    }
    float total_g = horizontal_sum(sum_g), total_gx = horizontal_sum(sum_gx);
    for (int j = i; j < cols; j++) {
      float xhat = (xr[j] - mean[r]) * rstd[r];
      float g = dyr[j] * gamma[j];
      total_g += g;
      total_gx += g * xhat;
      dgamma[j] += dyr[j] * xhat;
      dbeta[j] += dyr[j];
    }
    float mean_g_scalar = total_g * inv_cols, mean_gx_scalar = total_gx * inv_cols;
    v128_t mean_g = wasm_f32x4_splat(mean_g_scalar), mean_gx = wasm_f32x4_splat(mean_gx_scalar);
    for (i = 0; i + 4 <= cols; i += 4) {
      v128_t xhat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), m), s);
      v128_t g = wasm_f32x4_mul(wasm_v128_load(dyr + i), wasm_v128_load(gamma + i));
      v128_t inner = wasm_f32x4_sub(wasm_f32x4_sub(g, mean_g), wasm_f32x4_mul(xhat, mean_gx));
      wasm_v128_store(dxr + i, wasm_f32x4_mul(s, inner));
    }
    for (; i < cols; i++) {
      float xhat = (xr[i] - mean[r]) * rstd[r];
      dxr[i] = rstd[r] * ((dyr[i] * gamma[i] - mean_g_scalar) - xhat * mean_gx_scalar);
    }
  }
}

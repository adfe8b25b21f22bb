/*
 * koenbert's float32 GEMM for the tfjs wasm backend (rules for this module: koenbert_wasm.h).
 *
 * Why not XNNPACK, which tfjs already has: tfjs's binary was built for 128-bit SIMD without fused multiply-add, and
 * it packs the right operand with a transposing copy on every call; backprop's transposed operands then need an
 * explicit transpose first. Here the packing routines read either layout through strides, and the inner kernel uses
 * relaxed-SIMD multiply-add (an FMA instruction on x86 with FMA3) when the engine has it.
 *
 * Blocking (Goto/van de Geijn): for each KC-deep slice of K, a column strip of B is packed into NR-wide panels and
 * each MC-row block of A into MR-tall panels; the MR x NR micro-kernel then keeps its 8 accumulators in registers
 * (x86-64 has 16 vector registers; 6 x 8 or 5 x 8 tiles measured slower here: the engine spills).
 */
#include "koenbert_wasm.h"

#define MR 4
#define NR 8
#define KC 256
#define MC 128

/* Floats of packing scratch one gemm_block call needs for a column strip nc wide. */
EXPORT("gemm_scratch_floats")
int gemm_scratch_floats(int nc) {
  int panels = (nc + NR - 1) / NR;
  return MC * KC + panels * NR * KC + MR * NR;
}

/* A(i, k) at a[i * am + k * ak] for rows i0..i0+mc, depth k0..k0+kc, as MR-row panels, zero-padded. */
static void pack_a(const float *a, int am, int ak, int i0, int mc, int k0, int kc, float *out) {
  for (int ir = 0; ir < mc; ir += MR) {
    int rows = min_int(MR, mc - ir);
    const float *panel = a + (i0 + ir) * am + k0 * ak;
    for (int k = 0; k < kc; k++) {
      const float *column = panel + k * ak;
      for (int r = 0; r < MR; r++) out[r] = r < rows ? column[r * am] : 0.0f;
      out += MR;
    }
  }
}

/* B(k, j) at b[k * bk + j * bj] for depth k0..k0+kc, columns j0..j0+nc, as NR-column panels, zero-padded. */
static void pack_b(const float *b, int bk, int bj, int k0, int kc, int j0, int nc, float *out) {
  for (int jr = 0; jr < nc; jr += NR) {
    int cols = min_int(NR, nc - jr);
    const float *panel = b + k0 * bk + (j0 + jr) * bj;
    if (cols == NR && bj == 1) {
      for (int k = 0; k < kc; k++) {
        const float *row = panel + k * bk;
        wasm_v128_store(out, wasm_v128_load(row));
        wasm_v128_store(out + 4, wasm_v128_load(row + 4));
        out += NR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        const float *row = panel + k * bk;
        for (int j = 0; j < NR; j++) out[j] = j < cols ? row[j * bj] : 0.0f;
        out += NR;
      }
    }
  }
}

#define ROW_STEP(r)                                          \
  {                                                          \
    v128_t ar = wasm_v128_load32_splat(pa + r);              \
    acc##r##0 = MADD(ar, b0, acc##r##0);                     \
    acc##r##1 = MADD(ar, b1, acc##r##1);                     \
  }

/* Adds what C (or, on the first K slice, the bias) already holds, then stores a full row of the tile. */
#define STORE_ROW(r)                                                                   \
  if (r < rows) {                                                                      \
    float *cr = c + r * ldc;                                                           \
    v128_t base0 = first ? bias0 : wasm_v128_load(cr);                                 \
    v128_t base1 = first ? bias1 : wasm_v128_load(cr + 4);                             \
    wasm_v128_store(cr, wasm_f32x4_add(acc##r##0, base0));                             \
    wasm_v128_store(cr + 4, wasm_f32x4_add(acc##r##1, base1));                         \
  }

#define SPILL_ROW(r)                                                                   \
  wasm_v128_store(tile + r * NR, acc##r##0);                                           \
  wasm_v128_store(tile + r * NR + 4, acc##r##1);

/*
 * C[0:rows, 0:cols] (row stride ldc) = (first ? bias : C) + packed A panel . packed B panel, over kc.
 * A partial tile (cols < NR) goes through `tile` so that nothing past the edge of C is written.
 */
static void micro_kernel(int kc, const float *pa, const float *pb, float *c, int ldc, int rows, int cols, int first,
                         const float *bias, float *tile) {
  v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t acc00 = zero, acc01 = zero, acc10 = zero, acc11 = zero;
  v128_t acc20 = zero, acc21 = zero, acc30 = zero, acc31 = zero;
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(pb);
    v128_t b1 = wasm_v128_load(pb + 4);
    ROW_STEP(0) ROW_STEP(1) ROW_STEP(2) ROW_STEP(3)
    pa += MR;
    pb += NR;
  }
  if (cols == NR) {
    v128_t bias0 = bias ? wasm_v128_load(bias) : zero;
    v128_t bias1 = bias ? wasm_v128_load(bias + 4) : zero;
    STORE_ROW(0) STORE_ROW(1) STORE_ROW(2) STORE_ROW(3)
    return;
  }
  SPILL_ROW(0) SPILL_ROW(1) SPILL_ROW(2) SPILL_ROW(3)
  for (int r = 0; r < rows; r++) {
    for (int j = 0; j < cols; j++) {
      float base = first ? (bias ? bias[j] : 0.0f) : c[r * ldc + j];
      c[r * ldc + j] = base + tile[r * NR + j];
    }
  }
}

/*
 * One block of a product: C[i0:i1, j0:j1] = bias[j0:j1] + sum over k of A(i, k) B(k, j), with
 * A(i, k) at a[i * am + k * ak], B(k, j) at b[k * bk + j * bj], C(i, j) at c[i * ldc + j], bias null or n floats.
 * Strides let either operand be read transposed. `scratch` holds gemm_scratch_floats(j1 - j0) floats, private to
 * the calling thread. Blocks with disjoint C ranges may run on different threads at once.
 */
EXPORT("gemm_block")
void gemm_block(const float *a, int am, int ak, const float *b, int bk, int bj, float *c, int ldc, const float *bias,
                int i0, int i1, int j0, int j1, int k, float *scratch) {
  int nc = j1 - j0;
  float *packed_a = scratch;
  float *packed_b = scratch + MC * KC;
  float *tile = packed_b + ((nc + NR - 1) / NR) * NR * KC;
  for (int k0 = 0; k0 < k; k0 += KC) {
    int kc = min_int(KC, k - k0);
    pack_b(b, bk, bj, k0, kc, j0, nc, packed_b);
    for (int ic = i0; ic < i1; ic += MC) {
      int mc = min_int(MC, i1 - ic);
      pack_a(a, am, ak, ic, mc, k0, kc, packed_a);
      for (int jr = 0; jr < nc; jr += NR) {
        const float *bias_j = bias ? bias + j0 + jr : 0;
        for (int ir = 0; ir < mc; ir += MR) {
          micro_kernel(kc, packed_a + ir * kc, packed_b + jr * kc, c + (ic + ir) * ldc + j0 + jr, ldc,
                       min_int(MR, mc - ir), min_int(NR, nc - jr), k0 == 0, bias_j, tile);
        }
      }
    }
  }
}

// Register-tiled multiply-accumulate steps shared by the kernels. A tile is R rows by 8 columns,
// held in 2*R f32x4 accumulators; V8 has 15 free xmm registers on x64, so R <= 4 keeps every
// accumulator, both B vectors and the broadcast A value in registers.
#ifndef DIGITLAB_TILE_H
#define DIGITLAB_TILE_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef v128_t f4;

// acc + a * b. Built with relaxed SIMD (build.sh's second binary), one fused multiply-add where the
// CPU has one (then rounded once, not twice); otherwise a multiply and an add.
#ifdef __wasm_relaxed_simd__
static inline f4 madd(f4 acc, f4 a, f4 b) {
  return (f4)__builtin_wasm_relaxed_madd_f32x4((__f32x4)a, (__f32x4)b, (__f32x4)acc);
}
#else
static inline f4 madd(f4 acc, f4 a, f4 b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
#endif

#define ACC4_ZERO                                                         \
  f4 c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, \
     c21 = c00, c30 = c00, c31 = c00
#define ACC1_ZERO f4 c00 = wasm_f32x4_splat(0), c01 = c00

// acc[r] += a_r * b[0..7]
#define STEP4(A0, A1, A2, A3, B)                        \
  do {                                                  \
    const f4 b0 = wasm_v128_load(B);                    \
    const f4 b1 = wasm_v128_load((B) + 4);              \
    f4 x = wasm_v128_load32_splat(A0);                  \
    c00 = madd(c00, x, b0);                             \
    c01 = madd(c01, x, b1);                             \
    x = wasm_v128_load32_splat(A1);                     \
    c10 = madd(c10, x, b0);                             \
    c11 = madd(c11, x, b1);                             \
    x = wasm_v128_load32_splat(A2);                     \
    c20 = madd(c20, x, b0);                             \
    c21 = madd(c21, x, b1);                             \
    x = wasm_v128_load32_splat(A3);                     \
    c30 = madd(c30, x, b0);                             \
    c31 = madd(c31, x, b1);                             \
  } while (0)

#define STEP1(A0, B)                                    \
  do {                                                  \
    const f4 x = wasm_v128_load32_splat(A0);            \
    c00 = madd(c00, x, wasm_v128_load(B));              \
    c01 = madd(c01, x, wasm_v128_load((B) + 4));        \
  } while (0)

static inline void store8(float* p, f4 lo, f4 hi) {
  wasm_v128_store(p, lo);
  wasm_v128_store(p + 4, hi);
}

static inline void add8(float* p, f4 lo, f4 hi) {
  wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), lo));
  wasm_v128_store(p + 4, wasm_f32x4_add(wasm_v128_load(p + 4), hi));
}

// The partial-panel twins of the above, for matrices whose column count is not a multiple of 8:
// n is how many of the 8 floats at p exist (n >= 8: all; n <= 0: none). Absent lanes load as 0.
static inline f4 load4_n(const float* p, int n) {
  if (n >= 4) return wasm_v128_load(p);
  return wasm_f32x4_make(n > 0 ? p[0] : 0.f, n > 1 ? p[1] : 0.f, n > 2 ? p[2] : 0.f, 0.f);
}

static inline void store4_n(float* p, f4 v, int n) {
  if (n >= 4) {
    wasm_v128_store(p, v);
    return;
  }
  if (n > 0) p[0] = wasm_f32x4_extract_lane(v, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

static inline void store8_n(float* p, f4 lo, f4 hi, int n) {
  if (n >= 8) {
    store8(p, lo, hi);
    return;
  }
  store4_n(p, lo, n);
  store4_n(p + 4, hi, n - 4);
}

static inline void add8_n(float* p, f4 lo, f4 hi, int n) {
  if (n >= 8) {
    add8(p, lo, hi);
    return;
  }
  store4_n(p, wasm_f32x4_add(load4_n(p, n), lo), n);
  store4_n(p + 4, wasm_f32x4_add(load4_n(p + 4, n - 4), hi), n - 4);
}

// Columns rounded up to whole panels of 8: the width of a packed matrix.
static inline int panels8(int n) { return (n + 7) & ~7; }

static inline void zero(float* p, int n) {
  const f4 z = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, z);
  for (; i < n; i++) p[i] = 0;
}

#endif

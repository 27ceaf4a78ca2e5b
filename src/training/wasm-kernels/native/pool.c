#include "tile.h"

// The gradient of max pooling over NHWC windows clipped to the image (padded positions never
// win, as in tfjs). Channels go four at a time; ties resolve to the first window position in
// row-major order, the rule the cpu backend uses, which matters after relu where whole windows
// are zero.

static inline int clamp_lo(int v) { return v < 0 ? 0 : v; }
static inline int clamp_hi(int v, int hi) { return v > hi ? hi : v; }

// Whether pooling windows tile the image exactly (no overlap, gaps or padding), so that every dx
// element belongs to one window and is stored once; otherwise dx is zeroed for windows to add into.
static inline int prepare_dx(float* dx, int N, int H, int W, int C, int OH, int OW, int FH, int FW, int SH, int SW, int PT,
                             int PL) {
  const int tiles = SH == FH && SW == FW && PT == 0 && PL == 0 && OH * SH == H && OW * SW == W;
  if (!tiles) zero(dx, N * H * W * C);
  return tiles;
}

// Position k's share of a window's gradient: grad where k is the window's maximum, else 0.
static inline void route(float* d, f4 grad, f4 at, int k, int tiles) {
  const f4 mine = wasm_v128_and(grad, wasm_i32x4_eq(at, wasm_i32x4_splat(k)));
  wasm_v128_store(d, tiles ? mine : wasm_f32x4_add(wasm_v128_load(d), mine));
}

// Folds candidate k into the running first maximum (strictly greater wins, as on cpu).
#define CONSIDER(V, K)                                           \
  do {                                                           \
    const f4 better = wasm_f32x4_gt(V, best);                    \
    best = wasm_v128_bitselect(V, best, better);                 \
    at = wasm_v128_bitselect(wasm_i32x4_splat(K), at, better);   \
  } while (0)

// The common 2x2 window, unrolled.
static inline void window2x2(const float* x, const float* g, float* dx, int i0, int i1, int i2, int i3, int tiles) {
  f4 best = wasm_f32x4_splat(-__builtin_inff()), at = wasm_i32x4_splat(-1);
  CONSIDER(wasm_v128_load(x + i0), 0);
  CONSIDER(wasm_v128_load(x + i1), 1);
  CONSIDER(wasm_v128_load(x + i2), 2);
  CONSIDER(wasm_v128_load(x + i3), 3);
  const f4 grad = wasm_v128_load(g);
  route(dx + i0, grad, at, 0, tiles);
  route(dx + i1, grad, at, 1, tiles);
  route(dx + i2, grad, at, 2, tiles);
  route(dx + i3, grad, at, 3, tiles);
}

// Each window's gradient is stored into dx, or added where windows overlap (prepare_dx).
EXPORT(max_pool_backprop)
void max_pool_backprop(const float* x, const float* dy, float* dx, int N, int H, int W, int C, int OH, int OW,
                       int FH, int FW, int SH, int SW, int PT, int PL) {
  const int tiles = prepare_dx(dx, N, H, W, C, OH, OW, FH, FW, SH, SW, PT, PL);
  const int vec = C & ~3;
  const float* g = dy;
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++) {
      const int h0 = clamp_lo(oh * SH - PT), h1 = clamp_hi(oh * SH - PT + FH, H);
      for (int ow = 0; ow < OW; ow++, g += C) {
        const int w0 = clamp_lo(ow * SW - PL), w1 = clamp_hi(ow * SW - PL + FW, W);
        int c = 0;
        if (h1 - h0 == 2 && w1 - w0 == 2) {
          const int i0 = ((n * H + h0) * W + w0) * C, i1 = i0 + C, i2 = i0 + W * C, i3 = i2 + C;
          for (; c < vec; c += 4) window2x2(x, g + c, dx, i0 + c, i1 + c, i2 + c, i3 + c, tiles);
        }
        for (; c < vec; c += 4) {
          f4 best = wasm_f32x4_splat(-__builtin_inff());
          f4 at = wasm_i32x4_splat(-1);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              const int i = ((n * H + h) * W + w) * C + c;
              CONSIDER(wasm_v128_load(x + i), i);
            }
          const f4 grad = wasm_v128_load(g + c);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              const int i = ((n * H + h) * W + w) * C + c;
              route(dx + i, grad, at, i, tiles);
            }
        }
        for (int c = vec; c < C; c++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              const int i = ((n * H + h) * W + w) * C + c;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          if (tiles)
            for (int h = h0; h < h1; h++)
              for (int w = w0; w < w1; w++) dx[((n * H + h) * W + w) * C + c] = 0;
          if (at >= 0) dx[at] += g[c];
        }
      }
    }
}

// The gradient of average pooling: each dy value, times 1/(FH*FW), goes to every position of its
// window inside the image. The cpu backend divides by the whole filter's size even where a window
// hangs over padding, so this does too. Stored once where windows tile the image, else added.
EXPORT(avg_pool_backprop)
void avg_pool_backprop(const float* dy, float* dx, int N, int H, int W, int C, int OH, int OW, int FH, int FW, int SH,
                       int SW, int PT, int PL) {
  const int tiles = prepare_dx(dx, N, H, W, C, OH, OW, FH, FW, SH, SW, PT, PL);
  const float scale = 1.f / (float)(FH * FW);
  const f4 scale4 = wasm_f32x4_splat(scale);
  const int vec = C & ~3;
  const float* g = dy;
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++) {
      const int h0 = clamp_lo(oh * SH - PT), h1 = clamp_hi(oh * SH - PT + FH, H);
      for (int ow = 0; ow < OW; ow++, g += C) {
        const int w0 = clamp_lo(ow * SW - PL), w1 = clamp_hi(ow * SW - PL + FW, W);
        for (int h = h0; h < h1; h++)
          for (int w = w0; w < w1; w++) {
            float* d = dx + ((n * H + h) * W + w) * C;
            int c = 0;
            for (; c < vec; c += 4) {
              const f4 v = wasm_f32x4_mul(wasm_v128_load(g + c), scale4);
              wasm_v128_store(d + c, tiles ? v : wasm_f32x4_add(wasm_v128_load(d + c), v));
            }
            for (; c < C; c++) d[c] = tiles ? g[c] * scale : d[c] + g[c] * scale;
          }
      }
    }
}

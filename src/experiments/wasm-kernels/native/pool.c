#include "tile.h"

// The gradient of max pooling over NHWC windows clipped to the image (padded positions never
// win, as in tfjs). Channels go four at a time; ties resolve to the first window position in
// row-major order, the rule the cpu backend uses, which matters after relu where whole windows
// are zero.

static inline int clamp_lo(int v) { return v < 0 ? 0 : v; }
static inline int clamp_hi(int v, int hi) { return v > hi ? hi : v; }

// When windows tile the image exactly (no overlap, gaps or padding), every dx element belongs to
// one window and is stored once; otherwise dx is zeroed and windows add into it.
EXPORT(max_pool_backprop)
void max_pool_backprop(const float* x, const float* dy, float* dx, int N, int H, int W, int C, int OH, int OW,
                       int FH, int FW, int SH, int SW, int PT, int PL) {
  const int tiles = SH == FH && SW == FW && PT == 0 && PL == 0 && OH * SH == H && OW * SW == W;
  if (!tiles) zero(dx, N * H * W * C);
  const int vec = C & ~3;
  const float* g = dy;
  for (int n = 0; n < N; n++)
    for (int oh = 0; oh < OH; oh++) {
      const int h0 = clamp_lo(oh * SH - PT), h1 = clamp_hi(oh * SH - PT + FH, H);
      for (int ow = 0; ow < OW; ow++, g += C) {
        const int w0 = clamp_lo(ow * SW - PL), w1 = clamp_hi(ow * SW - PL + FW, W);
        for (int c = 0; c < vec; c += 4) {
          f4 best = wasm_f32x4_splat(-__builtin_inff());
          f4 at = wasm_i32x4_splat(-1);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              const int i = ((n * H + h) * W + w) * C + c;
              const f4 v = wasm_v128_load(x + i);
              const f4 better = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, better);
              at = wasm_v128_bitselect(wasm_i32x4_splat(i), at, better);
            }
          const f4 grad = wasm_v128_load(g + c);
          for (int h = h0; h < h1; h++)
            for (int w = w0; w < w1; w++) {
              const int i = ((n * H + h) * W + w) * C + c;
              const f4 mine = wasm_v128_and(grad, wasm_i32x4_eq(at, wasm_i32x4_splat(i)));
              wasm_v128_store(dx + i, tiles ? mine : wasm_f32x4_add(wasm_v128_load(dx + i), mine));
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

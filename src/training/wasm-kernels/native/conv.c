#include "tile.h"

// All convolutions here are NHWC with the TensorFlow filter layout [KH][KW][C][OC] and no
// padding: callers pad x first. Output pixel p = (n, oh, ow) reads KH runs of KW*C consecutive
// floats of x, one per filter row, which is what lets the tiles address x without an im2col copy.

// An output pixel's coordinates. Tiles walk pixels with next_pixel rather than dividing p by the
// image and row sizes: integer division per pixel and tap cost as much as a small filter's
// arithmetic.
typedef struct {
  int n, oh, ow;
} Pixel;

static inline Pixel pixel_at(int p, int OH, int OW) {
  const Pixel q = {p / (OH * OW), (p / OW) % OH, p % OW};
  return q;
}

static inline Pixel next_pixel(Pixel q, int OH, int OW) {
  if (++q.ow == OW) {
    q.ow = 0;
    if (++q.oh == OH) {
      q.oh = 0;
      q.n++;
    }
  }
  return q;
}

static inline const float* window(const float* x, Pixel q, int H, int W, int C, int SH, int SW) {
  return x + ((q.n * H + q.oh * SH) * W + q.ow * SW) * C;
}

// Stores the first n (up to 8) channels of a finished tile row: plus bias (null: none), then relu
// if asked, which keeps NaN as the cpu backend's relu does.
static inline void finish8(float* out, f4 lo, f4 hi, const float* bias, int relu, int n) {
  if (bias) {
    lo = wasm_f32x4_add(lo, load4_n(bias, n));
    hi = wasm_f32x4_add(hi, load4_n(bias + 4, n - 4));
  }
  if (relu) {
    const f4 z = wasm_f32x4_splat(0);
    lo = wasm_f32x4_pmax(lo, z);
    hi = wasm_f32x4_pmax(hi, z);
  }
  store8_n(out, lo, hi, n);
}

// y = relu?(conv(x, w) + bias?); w packed by pack_panels as a [KH*KW*C][OC] matrix; bias null for
// none. Any OC: a last partial panel of channels is stored in part.
EXPORT(conv_forward)
void conv_forward(const float* x, const float* packed, const float* bias, int relu, float* y, int N, int H, int W,
                  int C, int OH, int OW, int OC, int KH, int KW, int SH, int SW) {
  const int P = N * OH * OW, run = KW * C, K = KH * run, rowStride = W * C;
  Pixel q = pixel_at(0, OH, OW);
  int p = 0;
  for (; p + 4 <= P; p += 4) {
    const float* w0 = window(x, q, H, W, C, SH, SW);
    q = next_pixel(q, OH, OW);
    const float* w1 = window(x, q, H, W, C, SH, SW);
    q = next_pixel(q, OH, OW);
    const float* w2 = window(x, q, H, W, C, SH, SW);
    q = next_pixel(q, OH, OW);
    const float* w3 = window(x, q, H, W, C, SH, SW);
    q = next_pixel(q, OH, OW);
    for (int j = 0; j < OC; j += 8) {
      const float* b = packed + j * K;
      ACC4_ZERO;
      for (int kh = 0; kh < KH; kh++) {
        const int o = kh * rowStride;
        for (int r = 0; r < run; r++, b += 8) STEP4(w0 + o + r, w1 + o + r, w2 + o + r, w3 + o + r, b);
      }
      float* out = y + p * OC + j;
      const float* bj = bias ? bias + j : 0;
      const int n = OC - j;
      finish8(out, c00, c01, bj, relu, n);
      finish8(out + OC, c10, c11, bj, relu, n);
      finish8(out + 2 * OC, c20, c21, bj, relu, n);
      finish8(out + 3 * OC, c30, c31, bj, relu, n);
    }
  }
  for (; p < P; p++, q = next_pixel(q, OH, OW)) {
    const float* w0 = window(x, q, H, W, C, SH, SW);
    for (int j = 0; j < OC; j += 8) {
      const float* b = packed + j * K;
      ACC1_ZERO;
      for (int kh = 0; kh < KH; kh++)
        for (int r = 0; r < run; r++, b += 8) STEP1(w0 + kh * rowStride + r, b);
      finish8(y + p * OC + j, c00, c01, bias ? bias + j : 0, relu, OC - j);
    }
  }
}

// For dx: per filter tap t, the [OC][C] matrix w[t][c][oc] transposed, in panels of 8 channels:
// out[t][c/8][oc][8], the last panel padded with zero channels (out holds taps*OC*panels8(C)).
EXPORT(pack_taps_transposed)
void pack_taps_transposed(const float* w, float* out, int taps, int C, int OC) {
  const int Cp = panels8(C);
  for (int t = 0; t < taps; t++)
    for (int c = 0; c < Cp; c++)
      for (int oc = 0; oc < OC; oc++)
        out[t * OC * Cp + (c / 8) * OC * 8 + oc * 8 + c % 8] = c < C ? w[(t * C + c) * OC + oc] : 0;
}

// Where filter tap (kh, kw) of output pixel q lands in dx, or null in the padding.
static inline float* tap_target(float* dx, Pixel q, int kh, int kw, int H, int W, int C, int SH, int SW, int PT,
                                int PL) {
  const int ih = q.oh * SH - PT + kh, iw = q.ow * SW - PL + kw;
  if (ih < 0 || ih >= H || iw < 0 || iw >= W) return 0;
  return dx + ((q.n * H + ih) * W + iw) * C;
}

// dx[n, oh*SH-PT+kh, ow*SW-PL+kw, c] += sum_oc dy[n,oh,ow,oc] * w[kh,kw,c,oc]: each dy pixel's
// contribution is scattered straight into dx, so no work is spent on padding or stride gaps.
// packed comes from pack_taps_transposed. Any C: a last partial panel is added in part.
EXPORT(conv_backprop_input)
void conv_backprop_input(const float* dy, const float* packed, float* dx, int N, int H, int W, int C, int OH,
                         int OW, int OC, int KH, int KW, int SH, int SW, int PT, int PL) {
  zero(dx, N * H * W * C);
  const int P = N * OH * OW, Cp = panels8(C);
  Pixel q = pixel_at(0, OH, OW);
  int p = 0;
  for (; p + 4 <= P; p += 4) {
    const float *a0 = dy + p * OC, *a1 = a0 + OC, *a2 = a1 + OC, *a3 = a2 + OC;
    const Pixel q0 = q, q1 = next_pixel(q0, OH, OW), q2 = next_pixel(q1, OH, OW), q3 = next_pixel(q2, OH, OW);
    q = next_pixel(q3, OH, OW);
    for (int kh = 0; kh < KH; kh++) {
      for (int kw = 0; kw < KW; kw++) {
        float* t0 = tap_target(dx, q0, kh, kw, H, W, C, SH, SW, PT, PL);
        float* t1 = tap_target(dx, q1, kh, kw, H, W, C, SH, SW, PT, PL);
        float* t2 = tap_target(dx, q2, kh, kw, H, W, C, SH, SW, PT, PL);
        float* t3 = tap_target(dx, q3, kh, kw, H, W, C, SH, SW, PT, PL);
        if (!t0 && !t1 && !t2 && !t3) continue;
        const float* tap = packed + (kh * KW + kw) * OC * Cp;
        for (int c = 0; c < C; c += 8) {
          const float* b = tap + c * OC;
          ACC4_ZERO;
          for (int k = 0; k < OC; k++) STEP4(a0 + k, a1 + k, a2 + k, a3 + k, b + 8 * k);
          const int n = C - c;
          if (t0) add8_n(t0 + c, c00, c01, n);
          if (t1) add8_n(t1 + c, c10, c11, n);
          if (t2) add8_n(t2 + c, c20, c21, n);
          if (t3) add8_n(t3 + c, c30, c31, n);
        }
      }
    }
  }
  for (; p < P; p++, q = next_pixel(q, OH, OW)) {
    const float* a0 = dy + p * OC;
    for (int kh = 0; kh < KH; kh++) {
      for (int kw = 0; kw < KW; kw++) {
        float* t0 = tap_target(dx, q, kh, kw, H, W, C, SH, SW, PT, PL);
        if (!t0) continue;
        const float* tap = packed + (kh * KW + kw) * OC * Cp;
        for (int c = 0; c < C; c += 8) {
          const float* b = tap + c * OC;
          ACC1_ZERO;
          for (int k = 0; k < OC; k++) STEP1(a0 + k, b + 8 * k);
          add8_n(t0 + c, c00, c01, C - c);
        }
      }
    }
  }
}

// Output pixels per block: every tile of dW passes over the block's dy panel and x windows,
// which at this size stay in L1 (measured: 64-128 beat 256, 1024 and no blocking).
#define DW_BLOCK_PIXELS 128

// Where row k of dW (k = (kh*KW + kw)*C + c) reads x, relative to the window's corner.
static inline int row_offset(int k, int run, int rowStride) { return (k / run) * rowStride + k % run; }

// dw[kh][kw][c][oc] = sum over output pixels of x-window * dy, as a [KH*KW*C][OC] matrix tiled by
// 4 rows and 8 output channels. A tile's rows may span filter rows, so a 3x3 filter over one
// channel takes 3 tiles instead of 9. dy comes packed by pack_panels as [OC/8][pixels][8], so a
// tile reads it sequentially (a third faster than striding through NHWC rows). offsets is scratch
// for DW_BLOCK_PIXELS ints. Any OC: dy's last panel is padded, dw's last columns stored in part.
EXPORT(conv_backprop_filter)
void conv_backprop_filter(const float* x, const float* dyPanels, float* dw, int* offsets, int N, int H, int W,
                          int C, int OH, int OW, int OC, int KH, int KW, int SH, int SW) {
  const int run = KW * C, rows = KH * run, P = N * OH * OW, rowStride = W * C;
  zero(dw, rows * OC);
  for (int p0 = 0; p0 < P; p0 += DW_BLOCK_PIXELS) {
    const int count = p0 + DW_BLOCK_PIXELS < P ? DW_BLOCK_PIXELS : P - p0;
    Pixel q = pixel_at(p0, OH, OW);
    for (int i = 0; i < count; i++, q = next_pixel(q, OH, OW)) offsets[i] = window(x, q, H, W, C, SH, SW) - x;
    int k = 0;
    for (; k + 4 <= rows; k += 4) {
      const float* x0 = x + row_offset(k, run, rowStride);
      const float* x1 = x + row_offset(k + 1, run, rowStride);
      const float* x2 = x + row_offset(k + 2, run, rowStride);
      const float* x3 = x + row_offset(k + 3, run, rowStride);
      for (int j = 0; j < OC; j += 8) {
        float* out = dw + k * OC + j;
        const int n = OC - j;
        f4 c00 = load4_n(out, n), c01 = load4_n(out + 4, n - 4);
        f4 c10 = load4_n(out + OC, n), c11 = load4_n(out + OC + 4, n - 4);
        f4 c20 = load4_n(out + 2 * OC, n), c21 = load4_n(out + 2 * OC + 4, n - 4);
        f4 c30 = load4_n(out + 3 * OC, n), c31 = load4_n(out + 3 * OC + 4, n - 4);
        const float* b = dyPanels + j * P + p0 * 8;
        for (int i = 0; i < count; i++, b += 8) {
          const int o = offsets[i];
          STEP4(x0 + o, x1 + o, x2 + o, x3 + o, b);
        }
        store8_n(out, c00, c01, n);
        store8_n(out + OC, c10, c11, n);
        store8_n(out + 2 * OC, c20, c21, n);
        store8_n(out + 3 * OC, c30, c31, n);
      }
    }
    for (; k < rows; k++) {
      const float* x0 = x + row_offset(k, run, rowStride);
      for (int j = 0; j < OC; j += 8) {
        float* out = dw + k * OC + j;
        const int n = OC - j;
        f4 c00 = load4_n(out, n), c01 = load4_n(out + 4, n - 4);
        const float* b = dyPanels + j * P + p0 * 8;
        for (int i = 0; i < count; i++, b += 8) STEP1(x0 + offsets[i], b);
        store8_n(out, c00, c01, n);
      }
    }
  }
}

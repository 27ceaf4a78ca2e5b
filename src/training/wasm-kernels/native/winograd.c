#include "tile.h"

// 3x3 convolutions with stride 1 by Winograd's F(2x2, 3x3) (Lavin and Gray, 2016): each 2x2 block
// of output pixels (a tile) costs 16 multiply-adds per (input channel, output channel) instead of
// the direct method's 36, paid for with linear transforms of the 4x4 input window and of the
// result, which are cheap when there are dozens of channels. The 16 products per tile are 16
// independent matrix products [tiles][C] x [C][OC], run on the gemm tiles in blocks of tiles small
// enough to stay in cache.
//
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
//   y = A^T [(G g G^T) . (B^T d B)] A
//
// and, by the same identity read backwards, the filter's gradient summed over tiles:
//
//   dg = G^T [sum over tiles (A dy A^T) . (B^T d B)] G
//
// Tensors are NHWC, filters [3][3][C][OC]; callers pad x for the convolution's own padding. Channel
// counts are multiples of 4 (the transforms go four channels at a time).

void gemm(const float* a, int rowStride, int kStride, const float* packed, float* c, int M, int N, int K);
void gemm_acc(const float* a, int rowStride, int kStride, const float* packed, float* c, int M, int N, int K);

static inline int min_int(int a, int b) { return a < b ? a : b; }

// The 16 transformed filters G g G^T, each an [Cin][Cout] matrix packed as pack_panels does (panel
// of 8 output channels, zero-padded): out + xi * Cin * panels8(Cout). With transpose, each
// matrix transposed ([OC][C], for dx).
EXPORT(winograd_pack_filter)
void winograd_pack_filter(const float* w, float* out, int C, int OC, int transpose) {
  const int Cin = transpose ? OC : C, Cout = transpose ? C : OC, Coutp = panels8(Cout);
  for (int ci = 0; ci < Cin; ci++)
    for (int co = 0; co < Coutp; co++) {
      float g[3][3];
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
          if (co >= Cout) g[a][b] = 0;
          else if (transpose) g[a][b] = w[(a * 3 + b) * C * OC + co * OC + ci];
          else g[a][b] = w[(a * 3 + b) * C * OC + ci * OC + co];
        }
      float t[4][3];
      for (int b = 0; b < 3; b++) {
        t[0][b] = g[0][b];
        t[1][b] = 0.5f * (g[0][b] + g[1][b] + g[2][b]);
        t[2][b] = 0.5f * (g[0][b] - g[1][b] + g[2][b]);
        t[3][b] = g[2][b];
      }
      const int at = (co / 8) * Cin * 8 + ci * 8 + co % 8, xiStride = Cin * Coutp;
      for (int i = 0; i < 4; i++) {
        out[(i * 4 + 0) * xiStride + at] = t[i][0];
        out[(i * 4 + 1) * xiStride + at] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        out[(i * 4 + 2) * xiStride + at] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        out[(i * 4 + 3) * xiStride + at] = t[i][2];
      }
    }
}

// B^T d B for one row of the transform: from the 4 values of a column-transformed row to 4 outputs.
#define ROW_BT(T0, T1, T2, T3, V, XS)                            \
  do {                                                           \
    wasm_v128_store((V), wasm_f32x4_sub(T0, T2));                \
    wasm_v128_store((V) + (XS), wasm_f32x4_add(T1, T2));         \
    wasm_v128_store((V) + 2 * (XS), wasm_f32x4_sub(T2, T1));     \
    wasm_v128_store((V) + 3 * (XS), wasm_f32x4_sub(T1, T3));     \
  } while (0)

// V[xi][c] = (B^T d B)[xi] for one tile's 4x4 window d at x (row stride rowStride, pixel stride
// C), four channels at a time; the 16 results xiStride apart. Written out by hand: V8 keeps these
// in registers, where arrays would go to the C stack, which these binaries must not use.
static void input_tile(const float* x, float* V, int xiStride, int C, int rowStride) {
  for (int c = 0; c < C; c += 4) {
    const float* r0 = x + c;
    const float* r1 = r0 + rowStride;
    const float* r2 = r1 + rowStride;
    const float* r3 = r2 + rowStride;
    // Columns first: t_r,s = (B^T d)[r][s] for column s, then rows.
    f4 t00, t01, t02, t03, t10, t11, t12, t13, t20, t21, t22, t23, t30, t31, t32, t33;
#define COLUMN(S)                                                                              \
  do {                                                                                         \
    const f4 d0 = wasm_v128_load(r0 + (S) * C), d1 = wasm_v128_load(r1 + (S) * C);            \
    const f4 d2 = wasm_v128_load(r2 + (S) * C), d3 = wasm_v128_load(r3 + (S) * C);            \
    t0##S = wasm_f32x4_sub(d0, d2);                                                            \
    t1##S = wasm_f32x4_add(d1, d2);                                                            \
    t2##S = wasm_f32x4_sub(d2, d1);                                                            \
    t3##S = wasm_f32x4_sub(d1, d3);                                                            \
  } while (0)
    COLUMN(0);
    COLUMN(1);
    COLUMN(2);
    COLUMN(3);
#undef COLUMN
    float* v = V + c;
    ROW_BT(t00, t01, t02, t03, v, xiStride);
    ROW_BT(t10, t11, t12, t13, v + 4 * xiStride, xiStride);
    ROW_BT(t20, t21, t22, t23, v + 8 * xiStride, xiStride);
    ROW_BT(t30, t31, t32, t33, v + 12 * xiStride, xiStride);
  }
}

// A tile at the image's bottom or right edge, rows x cols of whose window lie inside: copied with
// zeros around it into edge (16 * C floats), which then serves as the window.
static const float* edge_window(const float* x, float* edge, int C, int rowStride, int rows, int cols) {
  zero(edge, 16 * C);
  for (int r = 0; r < rows; r++)
    for (int i = 0; i < cols * C; i++) edge[r * 4 * C + i] = x[r * rowStride + i];
  return edge;
}

/**
 * The transformed 4x4 input tiles of tiles t0 .. t0+count-1 (of the TH x TW tiles per image that
 * a valid 3x3 convolution's 2x2 outputs need), into V; a tile past the image's edge is read padded
 * with zeros through `edge`.
 */
static void input_tiles(const float* x, float* V, float* edge, int vStride, int t0, int count, int H, int W, int C) {
  const int TH = (H - 1) / 2, TW = (W - 1) / 2;
  for (int i = 0; i < count; i++) {
    const int t = t0 + i, n = t / (TH * TW), th = (t / TW) % TH, tw = t % TW;
    const float* window = x + ((n * H + 2 * th) * W + 2 * tw) * C;
    const int rows = min_int(4, H - 2 * th), cols = min_int(4, W - 2 * tw);
    if (rows == 4 && cols == 4) input_tile(window, V + i * C, vStride, C, W * C);
    else input_tile(edge_window(window, edge, C, W * C, rows, cols), V + i * C, vStride, C, 4 * C);
  }
}

static inline f4 finish(f4 v, f4 b, int relu) {
  v = wasm_f32x4_add(v, b);
  return relu ? wasm_f32x4_pmax(v, wasm_f32x4_splat(0)) : v;
}

// One tile's 2x2 outputs A^T m A (+ bias, relu), of which rows x cols are inside the image.
static void output_tile(const float* M, int xs, const float* bias, int relu, float* y, int OC, int rowStride,
                        int rows, int cols) {
  for (int oc = 0; oc < OC; oc += 4) {
    const float* m = M + oc;
#define LD(I) wasm_v128_load(m + (I) * xs)
    // s_i,j = (A^T m)[i][j]
    const f4 s00 = wasm_f32x4_add(wasm_f32x4_add(LD(0), LD(4)), LD(8));
    const f4 s01 = wasm_f32x4_add(wasm_f32x4_add(LD(1), LD(5)), LD(9));
    const f4 s02 = wasm_f32x4_add(wasm_f32x4_add(LD(2), LD(6)), LD(10));
    const f4 s03 = wasm_f32x4_add(wasm_f32x4_add(LD(3), LD(7)), LD(11));
    const f4 s10 = wasm_f32x4_sub(wasm_f32x4_sub(LD(4), LD(8)), LD(12));
    const f4 s11 = wasm_f32x4_sub(wasm_f32x4_sub(LD(5), LD(9)), LD(13));
    const f4 s12 = wasm_f32x4_sub(wasm_f32x4_sub(LD(6), LD(10)), LD(14));
    const f4 s13 = wasm_f32x4_sub(wasm_f32x4_sub(LD(7), LD(11)), LD(15));
#undef LD
    const f4 b = bias ? wasm_v128_load(bias + oc) : wasm_f32x4_splat(0);
    float* out = y + oc;
    wasm_v128_store(out, finish(wasm_f32x4_add(wasm_f32x4_add(s00, s01), s02), b, relu));
    if (cols > 1) wasm_v128_store(out + OC, finish(wasm_f32x4_sub(wasm_f32x4_sub(s01, s02), s03), b, relu));
    if (rows > 1) {
      wasm_v128_store(out + rowStride, finish(wasm_f32x4_add(wasm_f32x4_add(s10, s11), s12), b, relu));
      if (cols > 1) wasm_v128_store(out + rowStride + OC, finish(wasm_f32x4_sub(wasm_f32x4_sub(s11, s12), s13), b, relu));
    }
  }
}

// y = relu?(conv3x3(x, w) + bias?), valid, stride 1: OH = H - 2, OW = W - 2. U from
// winograd_pack_filter; V and M scratch of 16 * (block * C + 16) and 16 * (block * OC + 16)
// floats, edge of 16 * C.
EXPORT(winograd_conv)
void winograd_conv(const float* x, const float* U, const float* bias, int relu, float* y, float* V, float* M,
                   float* edge, int N, int H, int W, int C, int OC, int block) {
  const int OH = H - 2, OW = W - 2, TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = N * TH * TW, OCp = panels8(OC);
  // One cache line more than a block between the 16 matrices: at a multiple of 4 KB apart, as a
  // block of 64 tiles by 32 channels is, their rows fall in the same L1 set and evict each other.
  const int vStride = block * C + 16, mStride = block * OC + 16;
  for (int t0 = 0; t0 < T; t0 += block) {
    const int count = min_int(block, T - t0);
    input_tiles(x, V, edge, vStride, t0, count, H, W, C);
    for (int xi = 0; xi < 16; xi++) gemm(V + xi * vStride, C, 1, U + xi * C * OCp, M + xi * mStride, count, OC, C);
    for (int i = 0; i < count; i++) {
      const int t = t0 + i, n = t / (TH * TW), th = (t / TW) % TH, tw = t % TW;
      float* out = y + ((n * OH + 2 * th) * OW + 2 * tw) * OC;
      output_tile(M + i * OC, mStride, bias, relu, out, OC, OW * OC, min_int(2, OH - 2 * th), min_int(2, OW - 2 * tw));
    }
  }
}

// D = A e A^T for one tile's 2x2 block e of dy (rows x cols of it inside the image, the rest 0),
// four output channels at a time, written where gemm reads a packed B (row `tile` of panel oc/8),
// or with plain, as row `tile` of a row-major [count][OC] A.
static void dy_tile(const float* e, float* D, int xiStride, int tile, int count, int OC, int rowStride, int rows,
                    int cols, int plain) {
  const f4 z = wasm_f32x4_splat(0);
  for (int oc = 0; oc < OC; oc += 4) {
    const f4 e00 = wasm_v128_load(e + oc);
    const f4 e01 = cols > 1 ? wasm_v128_load(e + OC + oc) : z;
    const f4 e10 = rows > 1 ? wasm_v128_load(e + rowStride + oc) : z;
    const f4 e11 = rows > 1 && cols > 1 ? wasm_v128_load(e + rowStride + OC + oc) : z;
    float* d = plain ? D + tile * OC + oc : D + (oc / 8) * count * 8 + tile * 8 + oc % 8;
    // Rows: r_i = (A e)[i]; then columns.
#define ROW_A(R0, R1, I)                                                                       \
  do {                                                                                         \
    wasm_v128_store(d + (4 * (I) + 0) * xiStride, R0);                                         \
    wasm_v128_store(d + (4 * (I) + 1) * xiStride, wasm_f32x4_add(R0, R1));                     \
    wasm_v128_store(d + (4 * (I) + 2) * xiStride, wasm_f32x4_sub(R0, R1));                     \
    wasm_v128_store(d + (4 * (I) + 3) * xiStride, wasm_f32x4_neg(R1));                         \
  } while (0)
    ROW_A(e00, e01, 0);
    ROW_A(wasm_f32x4_add(e00, e10), wasm_f32x4_add(e01, e11), 1);
    ROW_A(wasm_f32x4_sub(e00, e10), wasm_f32x4_sub(e01, e11), 2);
    ROW_A(wasm_f32x4_neg(e10), wasm_f32x4_neg(e11), 3);
#undef ROW_A
  }
}

// dw = the gradient of winograd_conv's filter ([3][3][C][OC]) given x (padded, [N][H][W][C]) and
// dy ([N][H-2][W-2][OC]). Scratch: V of 16 * (block * C + 16) floats, D of 16 * (block *
// panels8(OC) + 16), M of 16 * (C * OC + 16), edge of 16 * C.
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float* x, const float* dy, float* dw, float* V, float* D, float* M, float* edge, int N,
                          int H, int W, int C, int OC, int block) {
  const int OH = H - 2, OW = W - 2, TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = N * TH * TW;
  const int vStride = block * C + 16, dStride = block * panels8(OC) + 16, mStride = C * OC + 16;
  zero(M, 16 * mStride);
  for (int t0 = 0; t0 < T; t0 += block) {
    const int count = min_int(block, T - t0);
    input_tiles(x, V, edge, vStride, t0, count, H, W, C);
    for (int i = 0; i < count; i++) {
      const int t = t0 + i, n = t / (TH * TW), th = (t / TW) % TH, tw = t % TW;
      dy_tile(dy + ((n * OH + 2 * th) * OW + 2 * tw) * OC, D, dStride, i, count, OC, OW * OC, min_int(2, OH - 2 * th),
              min_int(2, OW - 2 * tw), 0);
    }
    // M[xi] += V[xi]^T D[xi]: rows of V^T are channels (stride 1), its k the tiles (stride C).
    for (int xi = 0; xi < 16; xi++) gemm_acc(V + xi * vStride, 1, C, D + xi * dStride, M + xi * mStride, C, OC, count);
  }
  // dw[a][b] = (G^T M G)[a][b], four output channels at a time.
  const f4 half = wasm_f32x4_splat(0.5f);
  for (int c = 0; c < C; c++)
    for (int oc = 0; oc < OC; oc += 4) {
      const float* m = M + c * OC + oc;
#define LD(I, J) wasm_v128_load(m + (4 * (I) + (J)) * mStride)
#define GT(V0, V1, V2, V3, O0, O1, O2)                                                         \
  do {                                                                                         \
    const f4 p = wasm_f32x4_mul(half, wasm_f32x4_add(V1, V2));                                 \
    O0 = wasm_f32x4_add(V0, p);                                                                \
    O1 = wasm_f32x4_mul(half, wasm_f32x4_sub(V1, V2));                                         \
    O2 = wasm_f32x4_add(p, V3);                                                                \
  } while (0)
      f4 a0, a1, a2, b0, b1, b2, c0, c1, c2;
      // Columns j: T[a][j] = (G^T M)[a][j]
      GT(LD(0, 0), LD(1, 0), LD(2, 0), LD(3, 0), a0, b0, c0);
      GT(LD(0, 1), LD(1, 1), LD(2, 1), LD(3, 1), a1, b1, c1);
      GT(LD(0, 2), LD(1, 2), LD(2, 2), LD(3, 2), a2, b2, c2);
      f4 e0, e1, e2;
      GT(LD(0, 3), LD(1, 3), LD(2, 3), LD(3, 3), e0, e1, e2);
      // Rows a: dw[a][b] = (T G)[a][b]
      f4 o0, o1, o2;
      float* out = dw + c * OC + oc;
      const int tap = C * OC;
      GT(a0, a1, a2, e0, o0, o1, o2);
      wasm_v128_store(out, o0);
      wasm_v128_store(out + tap, o1);
      wasm_v128_store(out + 2 * tap, o2);
      GT(b0, b1, b2, e1, o0, o1, o2);
      wasm_v128_store(out + 3 * tap, o0);
      wasm_v128_store(out + 4 * tap, o1);
      wasm_v128_store(out + 5 * tap, o2);
      GT(c0, c1, c2, e2, o0, o1, o2);
      wasm_v128_store(out + 6 * tap, o0);
      wasm_v128_store(out + 7 * tap, o1);
      wasm_v128_store(out + 8 * tap, o2);
#undef GT
#undef LD
    }
}

// Adds B X B^T, one tile's 4x4 input gradient, into dx at its window (padded coordinates less
// PT, PL), skipping the rows and columns that fall in the padding; four channels at a time.
static void scatter_tile(const float* X, int xs, float* dx, int n, int r0, int s0, int H, int W, int C) {
  const int full = r0 >= 0 && s0 >= 0 && r0 + 4 <= H && s0 + 4 <= W;
  for (int c = 0; c < C; c += 4) {
    const float* x = X + c;
#define LD(I) wasm_v128_load(x + (I) * xs)
    // Columns of B X: z_r,s = (B X)[r][s]
    f4 z00, z01, z02, z03, z10, z11, z12, z13, z20, z21, z22, z23, z30, z31, z32, z33;
#define COL(S)                                                                                  \
  do {                                                                                          \
    const f4 x0 = LD(S), x1 = LD(4 + (S)), x2 = LD(8 + (S)), x3 = LD(12 + (S));                 \
    z0##S = x0;                                                                                 \
    z1##S = wasm_f32x4_add(wasm_f32x4_sub(x1, x2), x3);                                         \
    z2##S = wasm_f32x4_sub(wasm_f32x4_add(x1, x2), x0);                                         \
    z3##S = wasm_f32x4_neg(x3);                                                                 \
  } while (0)
    COL(0);
    COL(1);
    COL(2);
    COL(3);
#undef COL
#undef LD
#define ADD(P, V) wasm_v128_store(P, wasm_f32x4_add(wasm_v128_load(P), V))
#define ROW(R, Z0, Z1, Z2, Z3)                                                                  \
  do {                                                                                          \
    const int h = r0 + (R);                                                                     \
    if (full || (h >= 0 && h < H)) {                                                            \
      float* d = dx + ((n * H + h) * W + s0) * C + c;                                           \
      const f4 o0 = Z0, o1 = wasm_f32x4_add(wasm_f32x4_sub(Z1, Z2), Z3);                        \
      const f4 o2 = wasm_f32x4_sub(wasm_f32x4_add(Z1, Z2), Z0), o3 = wasm_f32x4_neg(Z3);        \
      if (full || (s0 >= 0 && s0 < W)) ADD(d, o0);                                              \
      if (full || (s0 + 1 >= 0 && s0 + 1 < W)) ADD(d + C, o1);                                  \
      if (full || (s0 + 2 >= 0 && s0 + 2 < W)) ADD(d + 2 * C, o2);                              \
      if (full || (s0 + 3 >= 0 && s0 + 3 < W)) ADD(d + 3 * C, o3);                              \
    }                                                                                           \
  } while (0)
    ROW(0, z00, z01, z02, z03);
    ROW(1, z10, z11, z12, z13);
    ROW(2, z20, z21, z22, z23);
    ROW(3, z30, z31, z32, z33);
#undef ROW
#undef ADD
  }
}

// dx ([N][H][W][C]) of a 3x3 stride-1 convolution whose input, padded by PT rows above and PL
// columns left (PB, PR below and right), gave dy ([N][OH][OW][OC], OH = H + PT + PB - 2): per
// output tile, the transformed dy times the transposed transformed filter UT (winograd_pack_filter
// with transpose), transformed back to the tile's 4x4 window and added into dx, so padding and
// the overlap of windows cost nothing. Scratch: D of 16 * (block * OC + 16) floats, X of
// 16 * (block * C + 16).
EXPORT(winograd_input_grad)
void winograd_input_grad(const float* dy, const float* UT, float* dx, float* D, float* X, int N, int H, int W, int C,
                         int OC, int PT, int PB, int PL, int PR, int block) {
  const int OH = H + PT + PB - 2, OW = W + PL + PR - 2, TH = (OH + 1) / 2, TW = (OW + 1) / 2, T = N * TH * TW;
  const int dStride = block * OC + 16, xStride = block * C + 16, Cp = panels8(C);
  zero(dx, N * H * W * C);
  for (int t0 = 0; t0 < T; t0 += block) {
    const int count = min_int(block, T - t0);
    for (int i = 0; i < count; i++) {
      const int t = t0 + i, n = t / (TH * TW), th = (t / TW) % TH, tw = t % TW;
      dy_tile(dy + ((n * OH + 2 * th) * OW + 2 * tw) * OC, D, dStride, i, count, OC, OW * OC, min_int(2, OH - 2 * th),
              min_int(2, OW - 2 * tw), 1);
    }
    for (int xi = 0; xi < 16; xi++) gemm(D + xi * dStride, OC, 1, UT + xi * OC * Cp, X + xi * xStride, count, C, OC);
    for (int i = 0; i < count; i++) {
      const int t = t0 + i, n = t / (TH * TW), th = (t / TW) % TH, tw = t % TW;
      scatter_tile(X + i * C, xStride, dx, n, 2 * th - PT, 2 * tw - PL, H, W, C);
    }
  }
}

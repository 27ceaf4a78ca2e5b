#include "tile.h"

// y[r][c] = x[r][c] + bias[c]: the bias add of a conv or dense layer, which the wasm Add kernel
// runs through its generic broadcasting loop.
EXPORT(add_bias)
void add_bias(const float* x, const float* bias, float* y, int rows, int C) {
  const int vec = C & ~3;
  for (int r = 0; r < rows; r++, x += C, y += C) {
    for (int c = 0; c < vec; c += 4) wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(x + c), wasm_v128_load(bias + c)));
    for (int c = vec; c < C; c++) y[c] = x[c] + bias[c];
  }
}

// out[c] = sum_r x[r][c]: the bias gradient. Rows are summed in blocks so each partial sum adds
// a few hundred terms before joining the total, which keeps float32 rounding near the cpu
// backend's.
#define SUM_BLOCK 256

EXPORT(column_sums)
void column_sums(const float* x, float* out, float* partial, int rows, int C) {
  const int vec = C & ~3;
  zero(out, C);
  for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
    const int r1 = r0 + SUM_BLOCK < rows ? r0 + SUM_BLOCK : rows;
    zero(partial, C);
    for (int r = r0; r < r1; r++) {
      const float* row = x + r * C;
      for (int c = 0; c < vec; c += 4)
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), wasm_v128_load(row + c)));
      for (int c = vec; c < C; c++) partial[c] += row[c];
    }
    for (int c = 0; c < C; c++) out[c] += partial[c];
  }
}

// Copies x into the interior of a zeroed [N][H+PT+PB][W+PL+PR][C] buffer.
EXPORT(pad_images)
void pad_images(const float* x, float* out, int N, int H, int W, int C, int PT, int PB, int PL, int PR) {
  const int OHt = H + PT + PB, OWt = W + PL + PR, row = W * C;
  // Bulk memory (memory.fill and memory.copy): the border rows and columns, then each image row.
  for (int n = 0; n < N; n++) {
    float* image = out + n * OHt * OWt * C;
    __builtin_memset(image, 0, PT * OWt * C * sizeof(float));
    __builtin_memset(image + (PT + H) * OWt * C, 0, PB * OWt * C * sizeof(float));
    for (int h = 0; h < H; h++) {
      float* dst = image + (h + PT) * OWt * C;
      __builtin_memset(dst, 0, PL * C * sizeof(float));
      __builtin_memcpy(dst + PL * C, x + (n * H + h) * row, row * sizeof(float));
      __builtin_memset(dst + PL * C + row, 0, PR * C * sizeof(float));
    }
  }
}

// dx = dy * step(x): relu's gradient in one pass, where tfjs runs Step, Cast and Multiply. step is
// the cpu backend's: 1 above 0, else 0, and NaN for NaN (so dy * 0 stays NaN for an infinite dy too).
EXPORT(relu_backward)
void relu_backward(const float* dy, const float* x, float* dx, int n) {
  const f4 one = wasm_f32x4_splat(1.f), z = wasm_f32x4_splat(0.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const f4 v = wasm_v128_load(x + i);
    f4 step = wasm_v128_bitselect(one, z, wasm_f32x4_gt(v, z));
    step = wasm_v128_bitselect(v, step, wasm_f32x4_ne(v, v));
    wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step));
  }
  for (; i < n; i++) {
    const float v = x[i];
    dx[i] = dy[i] * (v != v ? v : v > 0 ? 1.f : 0.f);
  }
}

#include "tile.h"

// y[r][c] = relu?(x[r][c] + bias[c]): the bias add of a conv or dense layer, which the wasm Add
// kernel runs through its generic broadcasting loop, and a dense layer's fused relu, which keeps
// NaN as the cpu backend's relu does.
EXPORT(add_bias)
void add_bias(const float* x, const float* bias, float* y, int rows, int C, int relu) {
  const int vec = C & ~3;
  const f4 z = wasm_f32x4_splat(0);
  for (int r = 0; r < rows; r++, x += C, y += C) {
    for (int c = 0; c < vec; c += 4) {
      const f4 v = wasm_f32x4_add(wasm_v128_load(x + c), wasm_v128_load(bias + c));
      wasm_v128_store(y + c, relu ? wasm_f32x4_pmax(v, z) : v);
    }
    for (int c = vec; c < C; c++) {
      const float v = x[c] + bias[c];
      y[c] = relu && v < 0 ? 0 : v;
    }
  }
}

// out[c] = sum_r x[r][c]: the bias gradient. Rows are summed in blocks so each partial sum adds
// a few hundred terms before joining the total, which keeps float32 rounding near the cpu
// backend's.
#define SUM_BLOCK 256

// Where the block of rows that starts at r0 ends (exclusive).
static inline int block_end(int r0, int rows) { return r0 + SUM_BLOCK < rows ? r0 + SUM_BLOCK : rows; }

static inline void add_partial(float* out, float* partial, int C) {
  for (int c = 0; c < C; c++) out[c] += partial[c];
}

EXPORT(column_sums)
void column_sums(const float* x, float* out, float* partial, int rows, int C) {
  const int vec = C & ~3;
  zero(out, C);
  for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
    const int r1 = block_end(r0, rows);
    zero(partial, C);
    for (int r = r0; r < r1; r++) {
      const float* row = x + r * C;
      for (int c = 0; c < vec; c += 4)
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), wasm_v128_load(row + c)));
      for (int c = vec; c < C; c++) partial[c] += row[c];
    }
    add_partial(out, partial, C);
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

// step(x) as the cpu backend has it: 1 above 0, else 0, and NaN for NaN (so dy * 0 stays NaN for
// an infinite dy too).
static inline f4 step4(f4 v) {
  const f4 step = wasm_v128_bitselect(wasm_f32x4_splat(1.f), wasm_f32x4_splat(0.f), wasm_f32x4_gt(v, wasm_f32x4_splat(0.f)));
  return wasm_v128_bitselect(v, step, wasm_f32x4_ne(v, v));
}

static inline float step1(float v) { return v != v ? v : v > 0 ? 1.f : 0.f; }

// dx = dy * step(x): relu's gradient in one pass, where tfjs runs Step, Cast and Multiply.
EXPORT(relu_backward)
void relu_backward(const float* dy, const float* x, float* dx, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), step4(wasm_v128_load(x + i))));
  for (; i < n; i++) dx[i] = dy[i] * step1(x[i]);
}

// The gradient of a layer's fused bias and relu from its output y ([rows][C]; y > 0 exactly where
// relu's input is, and NaN where it is): dz = dy * step(y), and db = column_sums(dz), summed in the
// same blocks and order, so both equal relu_backward then column_sums, in one pass instead of two.
EXPORT(relu_bias_backward)
void relu_bias_backward(const float* dy, const float* y, float* dz, float* db, float* partial, int rows, int C) {
  const int vec = C & ~3;
  zero(db, C);
  for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
    const int r1 = block_end(r0, rows);
    zero(partial, C);
    for (int i = r0 * C; i < r1 * C; i += C) {
      for (int c = 0; c < vec; c += 4) {
        const f4 v = wasm_f32x4_mul(wasm_v128_load(dy + i + c), step4(wasm_v128_load(y + i + c)));
        wasm_v128_store(dz + i + c, v);
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), v));
      }
      for (int c = vec; c < C; c++) partial[c] += dz[i + c] = dy[i + c] * step1(y[i + c]);
    }
    add_partial(db, partial, C);
  }
}

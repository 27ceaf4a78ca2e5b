#include "tile.h"

// A batch-norm layer in training, forward and backward, on x as [rows][C] with channels
// innermost. tfjs builds it from moments, batchNorm and their gradients: some twenty kernels, a
// Tile of the whole activation and an all-ones tensor filled in JS, for what is two passes over
// the activation each way here. Statistics are sums over rows, taken in blocks of rows (as
// column_sums does) so each partial sum adds a few hundred terms before joining the total.
#define BN_BLOCK 256

// out[c] = sum_r x[r][c] - shift[c] (shift may be 0) and, when out2 is set, out2[c] = the sum of
// squares of the same differences. partial needs 2*C floats.
static void shifted_sums(const float* x, const float* shift, float* out, float* out2, float* partial, int rows, int C) {
  const int vec = C & ~3;
  float* partial2 = partial + C;
  zero(out, C);
  if (out2) zero(out2, C);
  for (int r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const int r1 = r0 + BN_BLOCK < rows ? r0 + BN_BLOCK : rows;
    zero(partial, 2 * C);
    for (int r = r0; r < r1; r++) {
      const float* row = x + r * C;
      int c = 0;
      for (; c < vec; c += 4) {
        const f4 d = shift ? wasm_f32x4_sub(wasm_v128_load(row + c), wasm_v128_load(shift + c)) : wasm_v128_load(row + c);
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), d));
        if (out2) wasm_v128_store(partial2 + c, wasm_f32x4_add(wasm_v128_load(partial2 + c), wasm_f32x4_mul(d, d)));
      }
      for (; c < C; c++) {
        const float d = shift ? row[c] - shift[c] : row[c];
        partial[c] += d;
        partial2[c] += d * d;
      }
    }
    for (int c = 0; c < C; c++) out[c] += partial[c];
    if (out2)
      for (int c = 0; c < C; c++) out2[c] += partial2[c];
  }
}

// mean and (biased) variance per channel, as tf.moments gives them (the mean first, then the mean
// of squared differences from it), and y = (x - mean) * gamma / sqrt(variance + eps) + beta.
// scratch needs 3*C floats.
EXPORT(batch_norm_forward)
void batch_norm_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
                        float* scratch, int rows, int C, float eps) {
  float* partial = scratch;
  float* a = scratch + 2 * C;
  const float perRow = 1.0f / (float)rows;
  shifted_sums(x, 0, mean, 0, partial, rows, C);
  for (int c = 0; c < C; c++) mean[c] *= perRow;
  shifted_sums(x, mean, a, variance, partial, rows, C);
  for (int c = 0; c < C; c++) {
    variance[c] *= perRow;
    a[c] = gamma[c] / __builtin_sqrtf(variance[c] + eps);
  }
  const int vec = C & ~3;
  for (int r = 0; r < rows; r++, x += C, y += C) {
    int c = 0;
    for (; c < vec; c += 4) {
      const f4 d = wasm_f32x4_sub(wasm_v128_load(x + c), wasm_v128_load(mean + c));
      wasm_v128_store(y + c, madd(wasm_v128_load(beta + c), d, wasm_v128_load(a + c)));
    }
    for (; c < C; c++) y[c] = (x[c] - mean[c]) * a[c] + beta[c];
  }
}

// sum_r dy[r][c] * (x[r][c] - mean[c]) into out, dy's plain column sums into sumDy. partial
// needs 2*C floats.
static void gradient_sums(const float* dy, const float* x, const float* mean, float* sumDy, float* out, float* partial,
                          int rows, int C) {
  const int vec = C & ~3;
  float* partial2 = partial + C;
  zero(sumDy, C);
  zero(out, C);
  for (int r0 = 0; r0 < rows; r0 += BN_BLOCK) {
    const int r1 = r0 + BN_BLOCK < rows ? r0 + BN_BLOCK : rows;
    zero(partial, 2 * C);
    for (int r = r0; r < r1; r++) {
      const float* g = dy + r * C;
      const float* row = x + r * C;
      int c = 0;
      for (; c < vec; c += 4) {
        const f4 gi = wasm_v128_load(g + c);
        const f4 d = wasm_f32x4_sub(wasm_v128_load(row + c), wasm_v128_load(mean + c));
        wasm_v128_store(partial + c, wasm_f32x4_add(wasm_v128_load(partial + c), gi));
        wasm_v128_store(partial2 + c, madd(wasm_v128_load(partial2 + c), gi, d));
      }
      for (; c < C; c++) {
        partial[c] += g[c];
        partial2[c] += g[c] * (row[c] - mean[c]);
      }
    }
    for (int c = 0; c < C; c++) {
      sumDy[c] += partial[c];
      out[c] += partial2[c];
    }
  }
}

// The gradient of batch_norm_forward's y with respect to x, gamma and beta, counting the paths
// through the batch's mean and variance. With inv = 1/sqrt(variance + eps), M rows and
// xhat = (x - mean) * inv:
//   dbeta = sum dy;  dgamma = sum dy * xhat
//   dx = gamma * inv * (dy - dbeta / M - xhat * dgamma / M)
// scratch needs 5*C floats.
EXPORT(batch_norm_backward)
void batch_norm_backward(const float* dy, const float* x, const float* mean, const float* variance, const float* gamma,
                         float* dx, float* dgamma, float* dbeta, float* scratch, int rows, int C, float eps) {
  float* partial = scratch;
  float* k1 = scratch + 2 * C;
  float* k2 = scratch + 3 * C;
  float* k3 = scratch + 4 * C;
  gradient_sums(dy, x, mean, dbeta, dgamma, partial, rows, C);
  const float perRow = 1.0f / (float)rows;
  for (int c = 0; c < C; c++) {
    const float inv = 1.0f / __builtin_sqrtf(variance[c] + eps);
    k1[c] = gamma[c] * inv;
    k2[c] = -k1[c] * inv * inv * dgamma[c] * perRow;
    k3[c] = -k1[c] * dbeta[c] * perRow;
    dgamma[c] *= inv;
  }
  // dx = k1 * dy + k2 * (x - mean) + k3
  const int vec = C & ~3;
  for (int r = 0; r < rows; r++, dy += C, x += C, dx += C) {
    int c = 0;
    for (; c < vec; c += 4) {
      const f4 d = wasm_f32x4_sub(wasm_v128_load(x + c), wasm_v128_load(mean + c));
      const f4 out = madd(wasm_v128_load(k3 + c), wasm_v128_load(k2 + c), d);
      wasm_v128_store(dx + c, madd(out, wasm_v128_load(k1 + c), wasm_v128_load(dy + c)));
    }
    for (; c < C; c++) dx[c] = k1[c] * dy[c] + k2[c] * (x[c] - mean[c]) + k3[c];
  }
}

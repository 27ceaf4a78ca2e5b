#include "tile.h"

// Lays B[K][N] (row-major) out as ceil(N/8) panels of K rows by 8, so a tile streams its columns
// from consecutive addresses; a last partial panel is padded with zero columns (out holds
// K * panels8(N) floats).
EXPORT(pack_panels)
void pack_panels(const float* b, float* out, int K, int N) {
  for (int j = 0; j < N; j += 8) {
    float* panel = out + j * K;
    const int n = N - j;
    if (n >= 8) {
      for (int k = 0; k < K; k++) {
        wasm_v128_store(panel + 8 * k, wasm_v128_load(b + k * N + j));
        wasm_v128_store(panel + 8 * k + 4, wasm_v128_load(b + k * N + j + 4));
      }
    } else {
      for (int k = 0; k < K; k++) {
        wasm_v128_store(panel + 8 * k, load4_n(b + k * N + j, n));
        wasm_v128_store(panel + 8 * k + 4, load4_n(b + k * N + j + 4, n - 4));
      }
    }
  }
}

// C[M][N] = A * B (or, with accumulate, C += A * B), where A[m][k] = a[m * rowStride + k * kStride]
// (so either layout of A works without a copy) and B is packed by pack_panels. Inlined into the
// two entry points below, so accumulate is a constant in each.
static inline void gemm_into(const float* a, int rowStride, int kStride, const float* packed, float* c, int M, int N,
                             int K, int accumulate) {
  int m = 0;
  for (; m + 4 <= M; m += 4) {
    const float* a0 = a + m * rowStride;
    const float* a1 = a0 + rowStride;
    const float* a2 = a1 + rowStride;
    const float* a3 = a2 + rowStride;
    for (int j = 0; j < N; j += 8) {
      const float* b = packed + j * K;
      ACC4_ZERO;
      for (int k = 0; k < K; k++) STEP4(a0 + k * kStride, a1 + k * kStride, a2 + k * kStride, a3 + k * kStride, b + 8 * k);
      float* out = c + m * N + j;
      const int n = N - j;
      if (accumulate) {
        add8_n(out, c00, c01, n);
        add8_n(out + N, c10, c11, n);
        add8_n(out + 2 * N, c20, c21, n);
        add8_n(out + 3 * N, c30, c31, n);
      } else {
        store8_n(out, c00, c01, n);
        store8_n(out + N, c10, c11, n);
        store8_n(out + 2 * N, c20, c21, n);
        store8_n(out + 3 * N, c30, c31, n);
      }
    }
  }
  for (; m < M; m++) {
    const float* a0 = a + m * rowStride;
    for (int j = 0; j < N; j += 8) {
      const float* b = packed + j * K;
      ACC1_ZERO;
      for (int k = 0; k < K; k++) STEP1(a0 + k * kStride, b + 8 * k);
      if (accumulate) add8_n(c + m * N + j, c00, c01, N - j);
      else store8_n(c + m * N + j, c00, c01, N - j);
    }
  }
}

EXPORT(gemm)
void gemm(const float* a, int rowStride, int kStride, const float* packed, float* c, int M, int N, int K) {
  gemm_into(a, rowStride, kStride, packed, c, M, N, K, 0);
}

EXPORT(gemm_acc)
void gemm_acc(const float* a, int rowStride, int kStride, const float* packed, float* c, int M, int N, int K) {
  gemm_into(a, rowStride, kStride, packed, c, M, N, K, 1);
}

// pack_panels for a B given transposed, as bt[N][K].
EXPORT(pack_panels_transposed)
void pack_panels_transposed(const float* bt, float* out, int K, int N) {
  for (int j = 0; j < N; j += 8) {
    float* panel = out + j * K;
    for (int jj = 0; jj < 8; jj++) {
      const float* col = bt + (j + jj) * K;
      if (j + jj < N)
        for (int k = 0; k < K; k++) panel[8 * k + jj] = col[k];
      else
        for (int k = 0; k < K; k++) panel[8 * k + jj] = 0;
    }
  }
}

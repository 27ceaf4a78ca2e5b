#include "tile.h"

// One Adam step for one variable, with tf.train.adam's operations in its order, each rounded to
// float32 as its kernels round them, so the result matches it to the bit:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + g*g*(1-b2)
//   w' = (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps) * -lr + w
EXPORT(adam_update)
void adam_update(const float* g, const float* m, const float* v, const float* w, float* m2, float* v2, float* w2,
                 int n, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float oneMinusAccBeta1,
                 float oneMinusAccBeta2, float epsilon, float negLearningRate) {
  const f4 b1 = wasm_f32x4_splat(beta1), c1 = wasm_f32x4_splat(oneMinusBeta1);
  const f4 b2 = wasm_f32x4_splat(beta2), c2 = wasm_f32x4_splat(oneMinusBeta2);
  const f4 a1 = wasm_f32x4_splat(oneMinusAccBeta1), a2 = wasm_f32x4_splat(oneMinusAccBeta2);
  const f4 eps = wasm_f32x4_splat(epsilon), lr = wasm_f32x4_splat(negLearningRate);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const f4 gi = wasm_v128_load(g + i);
    const f4 mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, c1));
    const f4 vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), c2));
    const f4 step = wasm_f32x4_div(wasm_f32x4_div(mi, a1), wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, a2)), eps));
    wasm_v128_store(m2 + i, mi);
    wasm_v128_store(v2 + i, vi);
    wasm_v128_store(w2 + i, wasm_f32x4_add(wasm_f32x4_mul(step, lr), wasm_v128_load(w + i)));
  }
  for (; i < n; i++) {
    const float mi = m[i] * beta1 + g[i] * oneMinusBeta1;
    const float vi = v[i] * beta2 + (g[i] * g[i]) * oneMinusBeta2;
    m2[i] = mi;
    v2[i] = vi;
    w2[i] = ((mi / oneMinusAccBeta1) / (__builtin_sqrtf(vi / oneMinusAccBeta2) + epsilon)) * negLearningRate + w[i];
  }
}

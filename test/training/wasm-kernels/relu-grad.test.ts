import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { randomValues, useBackend } from './compare.ts';

/** tf.grad of sum(relu(x) * w) on one backend: w's values reach relu's gradient as dy. */
async function reluGrad(backend: 'cpu' | 'wasm', x: Float32Array, w: Float32Array, shape: number[]) {
  await useBackend(backend);
  const [xt, wt] = [tf.tensor(x, shape), tf.tensor(w, shape)];
  const dx = tf.grad((v: tf.Tensor) => tf.relu(v).mul(wt).sum())(xt);
  const values = (await dx.data()) as Float32Array;
  tf.dispose([xt, wt, dx]);
  return values;
}

describe("relu's gradient on wasm", () => {
  it.each([[64, 26, 26, 32], [3, 5], [7], [2, 3, 3, 5]])('equals the cpu backend exactly for shape %j', async (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = randomValues(n, 71);
    const w = randomValues(n, 72);
    // Zeros (no gradient), NaN (NaN) and infinities among the inputs; an infinite dy where x <= 0 gives NaN.
    x[0] = 0;
    if (n > 4) {
      x[1] = NaN;
      x[2] = Infinity;
      x[3] = -Infinity;
      w[4] = Infinity;
      x[4] = -0.5;
    }
    const expected = await reluGrad('cpu', x, w, shape);
    const actual = await reluGrad('wasm', x, w, shape);
    expect(Array.from(actual)).toEqual(Array.from(expected));
  }, 30_000);

  it('runs as one kernel on wasm, not Step, Cast and Multiply', async () => {
    await useBackend('wasm');
    const x = tf.tensor(randomValues(24, 73), [4, 6]);
    const profile = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.relu(v).sum())(x));
    const names = profile.kernelNames;
    expect(names).toContain('DigitlabReluGrad');
    expect(names).not.toContain('Step');
    tf.dispose(x);
  }, 30_000);
});

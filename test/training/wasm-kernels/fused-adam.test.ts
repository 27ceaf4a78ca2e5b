import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FusedAdam } from '../../../src/training/wasm-kernels/fused-adam.ts';
import { buildModel } from '../../../src/models/model.ts';
import { maxAbsDiff, randomValues, useBackend } from './compare.ts';

const SHAPES = [[7, 5], [13], [3, 3, 2, 8], [1]];
const STEPS = 5;

/** Runs Adam on fresh variables with the same gradients every run, returning the final values. */
function train(update: (variables: tf.Variable[]) => (gradients: tf.Tensor[]) => void): Float32Array[] {
  const variables = SHAPES.map((shape, i) => tf.variable(tf.tensor(randomValues(tf.util.sizeFromShape(shape), 90 + i), shape)));
  const step = update(variables);
  for (let s = 0; s < STEPS; s++) {
    const gradients = SHAPES.map((shape, i) => tf.tensor(randomValues(tf.util.sizeFromShape(shape), 100 * s + i), shape));
    step(gradients);
    tf.dispose(gradients);
  }
  const values = variables.map((v) => v.dataSync() as Float32Array);
  tf.dispose(variables);
  return values;
}

describe('FusedAdam on wasm', () => {
  it("matches tf.train.adam's steps to the bit", async () => {
    await useBackend('wasm');
    const reference = train((variables) => {
      const adam = tf.train.adam(0.01);
      return (gradients) => adam.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: gradients[i]! })));
    });
    const fused = train((variables) => {
      const adam = new FusedAdam(0.01);
      return (gradients) => adam.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: gradients[i]! })));
    });
    const initial = SHAPES.map((shape, i) => randomValues(tf.util.sizeFromShape(shape), 90 + i));
    reference.forEach((values, i) => {
      expect(maxAbsDiff(values, initial[i]!)).toBeGreaterThan(0.01);
      expect(maxAbsDiff(fused[i]!, values)).toBe(0);
    });
  });

  it('trains the reference CNN through optimizer.minimize as tf.train.adam does', async () => {
    await useBackend('wasm');
    const losses: number[][] = [];
    for (const optimizer of [tf.train.adam(0.001), new FusedAdam(0.001)]) {
      const model = buildModel(undefined, 5);
      const x = tf.tensor4d(randomValues(4 * 784, 95).map((v) => (v + 1) / 2), [4, 28, 28, 1]);
      const y = tf.oneHot(tf.tensor1d([3, 1, 4, 1], 'int32'), 10).toFloat();
      const run: number[] = [];
      for (let i = 0; i < 3; i++) {
        const loss = optimizer.minimize(
          () => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar,
          true,
        )!;
        run.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      losses.push(run);
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    }
    expect(losses[1]).toEqual(losses[0]);
    expect(losses[0]![2]!).toBeLessThan(losses[0]![0]!);
  });

  it('leaks no tensors across steps', async () => {
    await useBackend('wasm');
    const variable = tf.variable(tf.zeros([4, 4]));
    const adam = new FusedAdam(0.01);
    const gradient = tf.ones([4, 4]);
    adam.applyGradients({ [variable.name]: gradient });
    const live = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) adam.applyGradients({ [variable.name]: gradient });
    expect(tf.memory().numTensors).toBe(live);
    adam.dispose();
    tf.dispose([gradient, variable]);
  });
});

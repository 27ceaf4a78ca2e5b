import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FusedAdam } from '../../../src/experiments/wasm-kernels/data-parallel/fused-adam.ts';
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
      const adam = new FusedAdam(variables, 0.01);
      return (gradients) => adam.apply(gradients);
    });
    const initial = SHAPES.map((shape, i) => randomValues(tf.util.sizeFromShape(shape), 90 + i));
    reference.forEach((values, i) => {
      expect(maxAbsDiff(values, initial[i]!)).toBeGreaterThan(0.01);
      expect(maxAbsDiff(fused[i]!, values)).toBe(0);
    });
  });

  it('leaks no tensors across steps', async () => {
    await useBackend('wasm');
    const variables = [tf.variable(tf.zeros([4, 4]))];
    const adam = new FusedAdam(variables, 0.01);
    const gradient = tf.ones([4, 4]);
    adam.apply([gradient]);
    const live = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) adam.apply([gradient]);
    expect(tf.memory().numTensors).toBe(live);
    adam.dispose();
    tf.dispose([gradient, ...variables]);
  });
});

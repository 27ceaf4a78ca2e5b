import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { learningRateAt, trainingOptimizer, type Recipe } from '../../src/training/recipe.ts';
import { useBackend } from './wasm-kernels/compare.ts';

const recipe = (optimizer: Recipe['optimizer']): Recipe => ({
  optimizer,
  learningRate: 0.1,
  momentum: 0,
  weightDecay: 0,
  lrSchedule: 'step',
  totalSteps: 4,
});

/** How far each of `steps` optimizer steps moves w on loss = 2 * w (gradient 2). */
function stepSizes(optimizer: tf.Optimizer, steps: number): number[] {
  const w = tf.variable(tf.scalar(1));
  const sizes: number[] = [];
  for (let i = 0; i < steps; i++) {
    const before = w.dataSync()[0]!;
    optimizer.minimize(() => tf.mul(w, 2) as tf.Scalar);
    sizes.push(before - w.dataSync()[0]!);
  }
  w.dispose();
  return sizes;
}

describe('a scheduled learning rate', () => {
  // Adam's first steps move a weight by about the learning rate whatever the gradient; sgd by lr * 2.
  it.each([
    ['adam', 'wasm', 1],
    ['adam', 'cpu', 1],
    ['sgd', 'wasm', 2],
  ] as const)('follows the schedule with %s on %s', async (optimizer, backend, perLr) => {
    await useBackend(backend);
    const r = recipe(optimizer);
    const sizes = stepSizes(trainingOptimizer(r), 4);
    sizes.forEach((size, step) => expect(size).toBeCloseTo(learningRateAt(r, step) * perLr, 3));
    expect(sizes[3]).toBeLessThan(sizes[0]! / 5);
  });
});

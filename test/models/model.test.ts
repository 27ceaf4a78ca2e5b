import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { buildModel } from '../../src/models/model.ts';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('the reference CNN', () => {
  it('has the layers, output shapes and parameter count of DESIGN.md', () => {
    const model = buildModel();
    expect(model.layers.map((layer) => [layer.getClassName(), layer.outputShape])).toEqual([
      ['Conv2D', [null, 26, 26, 32]],
      ['MaxPooling2D', [null, 13, 13, 32]],
      ['Conv2D', [null, 11, 11, 64]],
      ['MaxPooling2D', [null, 5, 5, 64]],
      ['Flatten', [null, 1600]],
      ['Dense', [null, 64]],
      ['Dense', [null, 10]],
    ]);
    expect(model.countParams()).toBe(121930);
    expect(model.layers.map((layer) => (layer.getConfig() as { activation?: string }).activation)).toEqual([
      'relu', undefined, 'relu', undefined, undefined, 'relu', 'softmax',
    ]);
  });

  it('starts from the same weights for the same seed and different ones for another', () => {
    const weights = (seed: number) => buildModel(undefined, seed).getWeights().map((w) => Array.from(w.dataSync()));
    const a = weights(7);
    expect(weights(7)).toEqual(a);
    expect(weights(8)[0]).not.toEqual(a[0]);
    // Keras initialises biases to zero.
    expect(a[1]!.every((v) => v === 0)).toBe(true);
  });

  it('outputs a probability distribution per image', () => {
    const probabilities = buildModel(undefined, 1).predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor;
    const sums = Array.from(probabilities.sum(1).dataSync());
    sums.forEach((sum) => expect(sum).toBeCloseTo(1, 5));
  });
});

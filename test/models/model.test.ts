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

describe('a spec with Keras fields', () => {
  it('builds layers with its batch-norm momentum and epsilon, no bias where it says so, and its initialiser', () => {
    const model = buildModel(
      {
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3, useBias: false, kernelInitializer: 'heNormal' },
          { type: 'batchNormalization', momentum: 0.9, epsilon: 1e-5 },
          { type: 'flatten' },
          { type: 'dense', units: 10, activation: 'softmax', kernelInitializer: 'leCunUniform' },
        ],
      },
      3,
    );
    const configs = model.layers.map((layer) => layer.getConfig() as Record<string, unknown>);
    expect(configs[0]).toMatchObject({ useBias: false, kernelInitializer: { className: 'VarianceScaling', config: { scale: 2, distribution: 'normal' } } });
    expect(configs[1]).toMatchObject({ momentum: 0.9, epsilon: 1e-5 });
    expect(configs[3]).toMatchObject({ useBias: true, kernelInitializer: { config: { scale: 1, mode: 'fanIn', distribution: 'uniform' } } });
    expect(model.layers[0]!.getWeights()).toHaveLength(1);
    expect(model.countParams()).toBe(36 + 16 + 2704 * 10 + 10);
  });
});

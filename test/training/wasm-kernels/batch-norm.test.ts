import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BatchNormalization } from '../../../src/models/batch-normalization.ts';
import { BATCH_NORM_TRAINING } from '../../../src/models/batch-norm-kernel.ts';
import { liveCountsOverTrainingSteps, maxAbsDiff, randomValues, useBackend } from './compare.ts';

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  kernels: string[];
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * One training-mode call of a batch-norm layer on x (offset and scaled so the statistics are far
 * from 0 and 1), with the gradients of sum(y * w) with respect to x, gamma and beta, and the
 * moving statistics it leaves. Gamma, beta and the moving statistics start away from their
 * defaults so every term of the gradient counts.
 */
async function trainingCall(backend: 'cpu' | 'wasm', layer: tf.layers.Layer, shape: number[]): Promise<Outcome> {
  await useBackend(backend);
  const channels = shape[shape.length - 1]!;
  const x = tf.variable(tf.tensor(randomValues(size(shape), 11).map((v) => 3 * v + 0.5), shape));
  const w = tf.tensor(randomValues(size(shape), 12), shape);
  layer.build(shape);
  layer.setWeights([
    tf.tensor(randomValues(channels, 13).map((v) => 1 + 0.5 * v)),
    tf.tensor(randomValues(channels, 14)),
    tf.tensor(randomValues(channels, 15)),
    tf.tensor(randomValues(channels, 16).map((v) => 1 + 0.5 * v)),
  ]);
  const [gamma, beta] = layer.trainableWeights.map((weight) => weight.read() as tf.Variable);
  let y: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, w));
    }, [x, gamma!, beta!]);
    return Object.values(grads);
  });
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)), [x, gamma!, beta!]);
  const [movingMean, movingVariance] = layer.nonTrainableWeights.map((weight) => weight.read());
  const outcome: Outcome = {
    y: (await y!.data()) as Float32Array,
    dx: (await grads[x.name]!.data()) as Float32Array,
    dgamma: (await grads[gamma!.name]!.data()) as Float32Array,
    dbeta: (await grads[beta!.name]!.data()) as Float32Array,
    movingMean: (await movingMean!.data()) as Float32Array,
    movingVariance: (await movingVariance!.data()) as Float32Array,
    kernels: profile.kernelNames,
  };
  tf.dispose([x, w, y!, ...Object.values(grads), ...(profile.result as tf.Tensor[])]);
  for (const weight of layer.weights) weight.dispose();
  return outcome;
}

const scaleOf = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('batch normalisation in training on wasm', () => {
  // Channel counts off a multiple of four exercise the scalar tails; 13x13 rows and more span
  // several of the kernel's summing blocks.
  it.each([[[4, 13, 13, 6]], [[2, 11, 11, 64]], [[3, 5, 5, 8]], [[10, 7]], [[600, 4]]])(
    'matches the stock layer on cpu for %j: output, gradients and moving statistics',
    async (shape) => {
      const cpu = await trainingCall('cpu', tf.layers.batchNormalization(), shape);
      const wasm = await trainingCall('wasm', new BatchNormalization(), shape);
      expect(wasm.kernels).toContain(BATCH_NORM_TRAINING);
      expect(cpu.kernels).not.toContain(BATCH_NORM_TRAINING);
      for (const key of ['y', 'dx', 'dgamma', 'dbeta', 'movingMean', 'movingVariance'] as const) {
        expect(scaleOf(cpu[key]), key).toBeGreaterThan(0.1);
        expect(maxAbsDiff(wasm[key], cpu[key]), key).toBeLessThanOrEqual(2e-6 * Math.max(1, scaleOf(cpu[key])));
      }
    },
    60_000,
  );

  it('runs the stock layer where the fused kernel does not apply (channels not last)', async () => {
    await useBackend('wasm');
    const layer = new BatchNormalization({ axis: 1 });
    const x = tf.tensor(randomValues(72, 3), [2, 3, 3, 4]);
    const { kernelNames, result } = await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor);
    expect(kernelNames).not.toContain(BATCH_NORM_TRAINING);
    expect(kernelNames).toContain('FusedBatchNorm');
    tf.dispose([x, result as tf.Tensor]);
  });

  it('leaks no tensors and no wasm buffers across training steps', async () => {
    await useBackend('wasm');
    const live = liveCountsOverTrainingSteps(new BatchNormalization(), tf.tensor(randomValues(2 * 6 * 6 * 8, 5), [2, 6, 6, 8]));
    expect(live.slice(1)).toEqual([live[1], live[1], live[1]]);
  });

  it('saves as Keras BatchNormalization and loads back as the fused layer', async () => {
    await useBackend('wasm');
    const model = tf.sequential({ layers: [new BatchNormalization({ inputShape: [4] })] });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toContain('BatchNormalization');
    const loaded = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(loaded.layers.some((l) => l instanceof BatchNormalization)).toBe(true);
  });
});

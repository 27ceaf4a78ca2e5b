import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/models/model.ts';
import { DataParallelTrainer } from '../../../src/training/wasm-kernels/data-parallel/trainer.ts';
import { maxAbsDiff, randomValues, useBackend } from './compare.ts';

const ROWS = 16;
const SEED = 3;
const STEPS = 3;

const x = randomValues(ROWS * 784, 71).map((v) => (v + 1) / 2);
const y = new Float32Array(ROWS * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));

/** The same steps on one model and the whole batch, in this thread. */
async function singleReplica(): Promise<{ losses: number[]; correct: number[]; weights: Float32Array[] }> {
  await useBackend('wasm');
  const model = buildModel(undefined, SEED);
  const optimizer = tf.train.adam(0.001);
  const [xs, ys] = [tf.tensor4d(x, [ROWS, 28, 28, 1]), tf.tensor2d(y, [ROWS, 10])];
  const losses: number[] = [];
  const correct: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    let hits: tf.Tensor | undefined;
    const loss = optimizer.minimize(() => {
      const predictions = model.apply(xs, { training: true }) as tf.Tensor;
      hits = tf.keep(tf.equal(tf.argMax(predictions, 1), tf.argMax(ys, 1)).sum());
      return tf.metrics.categoricalCrossentropy(ys, predictions).mean() as tf.Scalar;
    }, true)!;
    losses.push(loss.dataSync()[0]!);
    correct.push(hits!.dataSync()[0]!);
    tf.dispose([loss, hits!]);
  }
  const weights = model.trainableWeights.map((w) => w.read().dataSync() as Float32Array);
  tf.dispose([xs, ys]);
  model.dispose();
  return { losses, correct, weights };
}

describe('DataParallelTrainer', () => {
  let trainer: DataParallelTrainer;
  beforeAll(async () => {
    trainer = await DataParallelTrainer.create({ replicas: 2, seed: SEED });
  }, 60_000);
  afterAll(async () => trainer?.close());

  it('trains as one replica on the whole batch would, and keeps its replicas identical', async () => {
    const results = [];
    for (let i = 0; i < STEPS; i++) results.push(await trainer.step(x, y, ROWS));
    const reference = await singleReplica();
    results.forEach((result, i) => {
      expect(Math.abs(result.loss - reference.losses[i]!)).toBeLessThan(1e-4);
      expect(result.correct).toBe(reference.correct[i]);
      expect(result.nonFiniteOutputs).toBe(0);
    });
    const losses = results.map((r) => r.loss);
    const [first, second] = [await trainer.weights(0), await trainer.weights(1)];
    first.values.forEach((values, i) => {
      expect(maxAbsDiff(values, second.values[i]!)).toBe(0);
      expect(maxAbsDiff(values, reference.weights[i]!)).toBeLessThan(1e-5);
    });
    expect(losses[STEPS - 1]!).toBeLessThan(losses[0]!);
  }, 60_000);

  it('leaks neither tensors nor wasm buffers in its replicas', async () => {
    await trainer.step(x, y, ROWS);
    const before = await trainer.memory();
    for (let i = 0; i < 3; i++) await trainer.step(x, y, ROWS);
    expect(await trainer.memory()).toEqual(before);
  }, 60_000);

  it('refuses a batch smaller than its replica count', async () => {
    await expect(trainer.step(x.subarray(0, 784), y.subarray(0, 10), 1)).rejects.toThrow(/cannot be split/);
  });
});

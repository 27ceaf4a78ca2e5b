import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../../src/models/model.ts';
import { randomValues, useBackend } from './compare.ts';

const BATCH = 8;
const STEPS = 4;

function batch(): { x: tf.Tensor; y: tf.Tensor } {
  const x = tf.tensor(randomValues(BATCH * 28 * 28, 41).map((v) => (v + 1) / 2), [BATCH, 28, 28, 1]);
  const labels = Array.from({ length: BATCH }, (_, i) => i % 10);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() };
}

/** Losses of consecutive Adam steps on one fixed batch, from identical initial weights. */
async function trainingLosses(backend: 'cpu' | 'wasm', steps: number, onStep?: () => void): Promise<number[]> {
  await useBackend(backend);
  const model = buildModel(undefined, 7);
  const optimizer = tf.train.adam(0.001);
  const { x, y } = batch();
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(
      () => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar,
      true,
    )!;
    losses.push((await loss.data())[0]!);
    loss.dispose();
    onStep?.();
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return losses;
}

describe('training the reference CNN on wasm', () => {
  it('reduces the loss step by step as the cpu backend does', async () => {
    const cpu = await trainingLosses('cpu', STEPS);
    const wasm = await trainingLosses('wasm', STEPS);
    expect(wasm[STEPS - 1]!).toBeLessThan(wasm[0]! - 0.05);
    for (let i = 0; i < STEPS; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3);
  }, 120_000);

  it('leaks no tensors and no wasm buffers across steps', async () => {
    const live: { tensors: number; buffers: number }[] = [];
    await trainingLosses('wasm', 6, () => {
      live.push({ tensors: tf.memory().numTensors, buffers: tf.engine().backend.numDataIds() });
    });
    expect(live.slice(1).every((m) => m.tensors === live[1]!.tensors && m.buffers === live[1]!.buffers)).toBe(true);
  }, 60_000);
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CROSS_ENTROPY_WITH_COUNTS } from '../../../src/training/wasm-kernels/cross-entropy.ts';
import { crossEntropyWithCounts } from '../../../src/training/step-loss.ts';
import { maxAbsDiff, randomValues, useBackend } from './compare.ts';

const ROWS = 24;
const CLASSES = 10;

interface Outcome {
  loss: number;
  counts: number[];
  dlogits: Float32Array;
  kernels: string[];
}

/** One-hot targets, every row's label its index mod CLASSES; smoothed as lossWithCounts does. */
function targets(smoothing: number): tf.Tensor2D {
  const labels = Array.from({ length: ROWS }, (_, r) => r % CLASSES);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat().mul(1 - smoothing).add(smoothing / CLASSES));
}

/** The loss and counts of softmax(logits * spread), and the loss's gradient with respect to the logits. */
async function lossOf(backend: 'cpu' | 'wasm', spread: number, smoothing: number): Promise<Outcome> {
  await useBackend(backend);
  const logits = tf.variable(tf.tensor2d(randomValues(ROWS * CLASSES, 61).map((v) => v * spread), [ROWS, CLASSES]));
  const t = targets(smoothing);
  let counts: tf.Tensor | undefined;
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const step = crossEntropyWithCounts(tf.softmax(logits), t);
      counts = step.counts;
      return step.loss;
    }, [logits]);
    return [value, grads[logits.name]!];
  });
  const [value, dlogits] = profile.result as tf.Tensor[];
  const outcome = {
    loss: (await value!.data())[0]!,
    counts: Array.from(await counts!.data()),
    dlogits: (await dlogits!.data()) as Float32Array,
    kernels: profile.kernelNames,
  };
  tf.dispose([logits, t, counts!, value!, dlogits!]);
  return outcome;
}

const scaleOf = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('cross-entropy with counts on wasm', () => {
  // A spread of 40 puts many probabilities below the clip at 1e-7 and some rows' largest above 1 - 1e-7.
  it.each([
    ['moderate logits', 3, 0],
    ['label smoothing', 3, 0.1],
    ['logits whose probabilities clip', 40, 0],
    ['clipped and smoothed', 40, 0.2],
  ])('%s: loss, counts and gradient as tfjs composes them on cpu', async (_, spread, smoothing) => {
    const cpu = await lossOf('cpu', spread, smoothing);
    const wasm = await lossOf('wasm', spread, smoothing);
    expect(wasm.kernels).toContain(CROSS_ENTROPY_WITH_COUNTS);
    expect(cpu.kernels).not.toContain(CROSS_ENTROPY_WITH_COUNTS);
    expect(wasm.counts).toEqual(cpu.counts);
    expect(cpu.counts[0]).toBeGreaterThan(0);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(2e-6 * Math.max(1, cpu.loss));
    expect(scaleOf(cpu.dlogits)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(wasm.dlogits, cpu.dlogits)).toBeLessThanOrEqual(1e-6 * Math.max(1, scaleOf(cpu.dlogits)));
  });

  it('counts non-finite predictions and ties as tfjs does', async () => {
    const values = [
      [NaN, 0.5, 0.5], // NaN never wins argMax
      [0.2, 0.4, 0.4], // a tie: the first maximum is the prediction
      [Infinity, 0, 0],
      [0.1, 0.1, 0.8],
    ];
    const counts = async (backend: 'cpu' | 'wasm') => {
      await useBackend(backend);
      const [p, t] = [tf.tensor2d(values), tf.tensor2d([[0, 1, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])];
      const step = crossEntropyWithCounts(p, t);
      const out = Array.from(await step.counts.data());
      tf.dispose([p, t, step.loss, step.counts]);
      return out;
    };
    expect(await counts('wasm')).toEqual(await counts('cpu'));
    expect(await counts('wasm')).toEqual([3, 2]);
  });
});

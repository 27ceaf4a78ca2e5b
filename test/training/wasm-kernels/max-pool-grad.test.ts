import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomValues, runOn } from './compare.ts';

interface PoolCase {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
  /** Clamp x at zero, as relu does before pooling, so windows tie. */
  relu?: boolean;
}

const CASES: PoolCase[] = [
  { x: [1, 4, 4, 1], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 26, 26, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid', relu: true },
  { x: [2, 8, 8, 8], filterSize: [2, 2], strides: [2, 2], pad: 'valid', relu: true },
  { x: [3, 11, 11, 4], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 7, 9, 2], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 6, 6, 5], filterSize: [3, 3], strides: [1, 1], pad: 'same', relu: true },
  { x: [2, 5, 8, 1], filterSize: [2, 3], strides: [1, 2], pad: 'valid' },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('MaxPoolGrad on wasm', () => {
  it.each(CASES)('matches cpu for $x / $filterSize / $strides / $pad', async (c) => {
    const x = randomValues(size(c.x), 31).map((v) => (c.relu ? Math.max(0, v) : v));
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: undefined };
    const pooled = await runOn('cpu', { kernelName: 'MaxPool', inputs: { x: { values: x, shape: c.x } }, attrs });
    const result = await compareWithCpu({
      kernelName: 'MaxPoolGrad',
      inputs: {
        dy: { values: randomValues(size(pooled.shape), 32), shape: pooled.shape },
        input: { values: x, shape: c.x },
        output: pooled,
      },
      attrs,
    });
    expect(result.shapesMatch).toBe(true);
    expect(result.scale).toBeGreaterThan(0.1);
    expect(result.error).toBeLessThanOrEqual(1e-4);
  }, 30_000);

  it('keeps tf.maxPool gradients equal across backends for tied windows', async () => {
    const x = new Float32Array(size([1, 4, 4, 1]));
    const grads: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      const { values } = await runOn(backend, {
        kernelName: 'MaxPoolGrad',
        inputs: {
          dy: { values: new Float32Array([1, 2, 3, 4]), shape: [1, 2, 2, 1] },
          input: { values: x, shape: [1, 4, 4, 1] },
          output: { values: new Float32Array(4), shape: [1, 2, 2, 1] },
        },
        attrs: { filterSize: [2, 2], strides: [2, 2], pad: 'valid', dimRoundingMode: undefined },
      });
      grads.push(values);
    }
    expect(Array.from(grads[1]!)).toEqual(Array.from(grads[0]!));
    expect(tf.getBackend()).toBe('wasm');
  }, 30_000);
});

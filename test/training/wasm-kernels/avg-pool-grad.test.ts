import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomValues } from './compare.ts';

interface PoolCase {
  x: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
}

const CASES: PoolCase[] = [
  { x: [1, 4, 4, 1], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  // LeNet-5's two poolings.
  { x: [2, 28, 28, 6], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 10, 10, 16], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  // Odd sizes leave a last row and column out; overlapping windows; windows over padding.
  { x: [3, 11, 11, 4], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 7, 9, 3], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 6, 6, 5], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
  { x: [2, 5, 8, 7], filterSize: [2, 3], strides: [1, 2], pad: 'valid' },
  { x: [2, 8, 8, 9], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

describe('AvgPoolGrad on wasm', () => {
  it.each(CASES)('matches cpu for $x / $filterSize / $strides / $pad', async (c) => {
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: undefined };
    const pooled = await compareWithCpu({ kernelName: 'AvgPool', inputs: { x: { values: randomValues(size(c.x), 41), shape: c.x } }, attrs });
    expect(pooled.shapesMatch).toBe(true);
    const { outShape } = await import('@tensorflow/tfjs').then((tf) =>
      tf.backend_util.computePool2DInfo(c.x, c.filterSize, c.strides, 1, c.pad),
    );
    const result = await compareWithCpu({
      kernelName: 'AvgPoolGrad',
      inputs: {
        dy: { values: randomValues(size(outShape), 42), shape: outShape },
        input: { values: randomValues(size(c.x), 41), shape: c.x },
      },
      attrs,
    });
    expect(result.shapesMatch).toBe(true);
    expect(result.scale).toBeGreaterThan(0.05);
    expect(result.error).toBeLessThanOrEqual(1e-5);
  }, 30_000);
});

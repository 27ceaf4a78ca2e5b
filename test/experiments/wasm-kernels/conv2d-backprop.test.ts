import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomValues } from './compare.ts';

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
}

const CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 2], strides: [1, 1], pad: 'valid' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { x: [3, 8, 6, 2], filter: [2, 3, 2, 5], strides: [2, 1], pad: 'valid' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 3], strides: [1, 1], pad: 'same' },
  { x: [4, 13, 13, 8], filter: [3, 3, 8, 6], strides: [2, 2], pad: 'valid' },
  { x: [2, 6, 6, 1], filter: [4, 4, 1, 3], strides: [1, 1], pad: 'same' },
  { x: [1, 10, 7, 5], filter: [3, 2, 5, 1], strides: [3, 2], pad: 'same' },
  { x: [2, 28, 28, 1], filter: [3, 3, 1, 32], strides: [1, 1], pad: 'valid' },
  { x: [2, 13, 13, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'valid' },
];

function dyShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const label = (c: ConvCase) => `x ${c.x} filter ${c.filter} strides ${c.strides} ${c.pad}`;

describe('Conv2DBackpropInput on wasm', () => {
  it.each(CASES)('matches cpu for $x / $filter / $strides / $pad', async (c) => {
    const dy = dyShape(c);
    const result = await compareWithCpu({
      kernelName: 'Conv2DBackpropInput',
      inputs: {
        dy: { values: randomValues(size(dy), 11), shape: dy },
        filter: { values: randomValues(size(c.filter), 12), shape: c.filter },
      },
      attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x },
    });
    expect(result.shapesMatch, label(c)).toBe(true);
    expect(result.scale).toBeGreaterThan(0.1);
    expect(result.error, label(c)).toBeLessThanOrEqual(1e-4);
  });
});

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(CASES)('matches cpu for $x / $filter / $strides / $pad', async (c) => {
    const dy = dyShape(c);
    const result = await compareWithCpu({
      kernelName: 'Conv2DBackpropFilter',
      inputs: {
        x: { values: randomValues(size(c.x), 21), shape: c.x },
        dy: { values: randomValues(size(dy), 22), shape: dy },
      },
      attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.filter },
    });
    expect(result.shapesMatch, label(c)).toBe(true);
    expect(result.scale).toBeGreaterThan(0.1);
    expect(result.error, label(c)).toBeLessThanOrEqual(1e-4);
  });
});

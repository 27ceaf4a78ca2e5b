import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomValues } from './compare.ts';
import { CASES, label, size } from './conv-cases.ts';
import { winogradApplies } from '../../../src/training/wasm-kernels/winograd.ts';

describe('Conv2D on wasm', () => {
  it.each(CASES)('matches cpu for $x / $filter / $strides / $pad', async (c) => {
    const result = await compareWithCpu({
      kernelName: 'Conv2D',
      inputs: {
        x: { values: randomValues(size(c.x), 51), shape: c.x },
        filter: { values: randomValues(size(c.filter), 52), shape: c.filter },
      },
      attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
    });
    expect(result.shapesMatch, label(c)).toBe(true);
    expect(result.scale).toBeGreaterThan(0.1);
    expect(result.error, label(c)).toBeLessThanOrEqual(1e-4);
  }, 30_000);

  it.each([
    { c: CASES[8]!, activation: 'relu', bias: true },
    { c: CASES[9]!, activation: 'relu', bias: true },
    { c: CASES[7]!, activation: 'linear', bias: true },
    { c: CASES[11]!, activation: 'relu', bias: false },
    { c: CASES[1]!, activation: 'linear', bias: false },
    { c: CASES[4]!, activation: 'relu', bias: true },
    { c: CASES[9]!, activation: 'relu6', bias: true },
    // Bias and relu applied by the Winograd output transform.
    { c: CASES[17]!, activation: 'relu', bias: true },
    { c: CASES[19]!, activation: 'linear', bias: true },
  ])('FusedConv2D matches cpu with $activation, bias $bias, for $c.x / $c.filter', async ({ c, activation, bias }) => {
    const inputs: Record<string, { values: Float32Array; shape: number[] }> = {
      x: { values: randomValues(size(c.x), 55), shape: c.x },
      filter: { values: randomValues(size(c.filter), 56), shape: c.filter },
    };
    if (bias) inputs.bias = { values: randomValues(c.filter[3], 57), shape: [c.filter[3]] };
    const result = await compareWithCpu({
      kernelName: 'FusedConv2D',
      inputs,
      attrs: { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation },
    });
    expect(result.shapesMatch, label(c)).toBe(true);
    expect(result.scale).toBeGreaterThan(0.1);
    expect(result.error, label(c)).toBeLessThanOrEqual(1e-4);
  }, 30_000);

  it('sends 3x3 stride-1 convolutions with channels in fours, and only those, the Winograd way', () => {
    const route = (c: (typeof CASES)[number]) => {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      return winogradApplies(info, info.inChannels, info.outChannels);
    };
    expect(CASES.slice(17).map(route)).toEqual([true, true, true, true, true]);
    expect(route(CASES[12]!)).toBe(true);
    expect(CASES.slice(0, 12).some(route)).toBe(false);
  });

  it('still runs dilated convolutions, on the package kernel', async () => {
    const result = await compareWithCpu({
      kernelName: 'Conv2D',
      inputs: {
        x: { values: randomValues(2 * 9 * 9 * 4, 53), shape: [2, 9, 9, 4] },
        filter: { values: randomValues(3 * 3 * 4 * 8, 54), shape: [3, 3, 4, 8] },
      },
      attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [2, 2], dimRoundingMode: undefined },
    });
    expect(result.shapesMatch).toBe(true);
    expect(result.error).toBeLessThanOrEqual(1e-4);
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import { compareWithCpu, randomValues } from './compare.ts';
import { CASES, dyShape, label, size } from './conv-cases.ts';

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
  }, 30_000);
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
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import { fitLongerSide, resizeArea } from '../../../src/data/own-digits/resample.ts';

const mean = (values: Float32Array) => values.reduce((a, b) => a + b, 0) / values.length;

describe('resizeArea', () => {
  it('averages the pixels each target pixel covers', () => {
    const image = { width: 4, height: 2, pixels: Float32Array.from([0, 1, 1, 1, 0, 1, 0, 0]) };
    expect(Array.from(resizeArea(image, 2, 1).pixels)).toEqual([0.5, 0.5]);
  });

  it('keeps the mean brightness when the sizes do not divide', () => {
    const pixels = Float32Array.from({ length: 49 }, (_, i) => (i * 37) % 11 / 10);
    const small = resizeArea({ width: 7, height: 7, pixels }, 3, 3);
    expect(mean(small.pixels)).toBeCloseTo(mean(pixels), 5);
  });
});

describe('fitLongerSide', () => {
  it('keeps the aspect ratio', () => {
    expect(fitLongerSide(300, 150, 20)).toEqual({ width: 20, height: 10 });
    expect(fitLongerSide(10, 400, 20)).toEqual({ width: 1, height: 20 });
  });
});

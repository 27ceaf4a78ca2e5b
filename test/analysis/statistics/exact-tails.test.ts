import { describe, expect, it } from 'vitest';
import { binomialUpperTail, hypergeometricUpperTail } from '../../../src/analysis/statistics/exact-tails.ts';

describe('binomialUpperTail', () => {
  it('matches hand-computed tails', () => {
    // P(X >= 8), X ~ Bin(10, 1/2) = (45 + 10 + 1) / 1024
    expect(binomialUpperTail(8, 10, 0.5)).toBeCloseTo(56 / 1024, 12);
    expect(binomialUpperTail(20, 100, 0.1)).toBeCloseTo(0.0019785608657712, 10);
    expect(binomialUpperTail(0, 5, 0.3)).toBe(1);
    expect(binomialUpperTail(6, 5, 0.3)).toBe(0);
  });

  it('stays finite for a class-sized n', () => {
    const p = binomialUpperTail(60, 1000, 0.03);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-6);
  });
});

describe('hypergeometricUpperTail', () => {
  it("reproduces Fisher's lady tasting tea", () => {
    // 8 cups, 4 milk-first, she picks 4: all four right by chance has p = 1/70.
    expect(hypergeometricUpperTail(4, 8, 4, 4)).toBeCloseTo(1 / 70, 12);
    expect(hypergeometricUpperTail(3, 8, 4, 4)).toBeCloseTo(17 / 70, 12);
  });

  it('matches a computed tail and its edges', () => {
    // 50 images, 10 errors; a cluster of 10 holding 5 or more of them.
    expect(hypergeometricUpperTail(5, 50, 10, 10)).toBeCloseTo(0.018129475654571, 10);
    expect(hypergeometricUpperTail(0, 50, 10, 10)).toBe(1);
    expect(hypergeometricUpperTail(11, 50, 10, 10)).toBe(0);
    // A cluster that is the whole class holds all its errors for certain.
    expect(hypergeometricUpperTail(10, 50, 10, 50)).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { mcnemarExactP } from '../../../src/analysis/statistics/mcnemar.ts';

describe("McNemar's exact test", () => {
  it('matches binomial tails computed by hand', () => {
    // 1 vs 5 discordant: 2 * (C(6,0) + C(6,1)) / 2^6 = 14/64.
    expect(mcnemarExactP(1, 5)).toBeCloseTo(14 / 64, 12);
    // 0 vs 10: 2 * 1 / 2^10.
    expect(mcnemarExactP(0, 10)).toBeCloseTo(2 / 1024, 12);
    // 10 vs 20: 2 * sum_{i<=10} C(30,i) / 2^30 (summed exactly in Python).
    expect(mcnemarExactP(10, 20)).toBeCloseTo(0.09873714670538902, 12);
  });

  it('is symmetric and capped at 1 when the runs disagree evenly or not at all', () => {
    expect(mcnemarExactP(5, 1)).toBe(mcnemarExactP(1, 5));
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(0, 0)).toBe(1);
  });

  it('stays finite on thousands of discordant images, near the normal approximation', () => {
    // z = 100 / sqrt(8100) = 1.111, two-sided normal p = 0.2666; the exact test is a little larger.
    const p = mcnemarExactP(4000, 4100);
    expect(p).toBeGreaterThan(0.26);
    expect(p).toBeLessThan(0.28);
  });
});

import { describe, expect, it } from 'vitest';
import { studentTwoSidedP, welchTTestP } from '../../../src/analysis/statistics/welch.ts';

describe("Welch's t-test", () => {
  it.each([
    // Two-sided tail areas from printed t tables.
    [2.776, 4, 0.05],
    [12.706, 1, 0.05],
    [1.96, 1e6, 0.05],
    [3.169, 10, 0.01],
  ])('t = %f with %f degrees of freedom has two-sided p %f', (t, df, p) => {
    expect(studentTwoSidedP(t, df)).toBeCloseTo(p, 3);
  });

  it("matches R's t.test for two small samples", () => {
    // t.test(1:3, 4:6): t = -3.6742, df = 4, p = 0.02131. Equal spreads and sizes, so df is exactly 2(n - 1).
    expect(welchTTestP([1, 2, 3], [4, 5, 6])).toBeCloseTo(0.02131, 4);
    // Unequal spreads: t = 2/sqrt(1/3 + 4/3) = 1.5492, df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = 50/17.
    expect(welchTTestP([1, 2, 3], [2, 4, 6])).toBeCloseTo(studentTwoSidedP(1.5492, 50 / 17), 4);
  });

  it('gives p = 1 for identical samples and refuses a side with one value', () => {
    expect(welchTTestP([0.9, 0.9], [0.9, 0.9])).toBe(1);
    expect(() => welchTTestP([0.9], [0.9, 0.91])).toThrow(/two values a side/);
  });
});

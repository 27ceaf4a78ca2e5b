import { describe, expect, it } from 'vitest';
import { bootstrapDifferenceInterval } from '../../../src/analysis/statistics/bootstrap.ts';

/** 1,000 images: `fixed` where only B is right, `broken` where only A is. */
function perImage(fixed: number, broken: number): Int8Array {
  const values = new Int8Array(1000);
  values.fill(1, 0, fixed);
  values.fill(-1, fixed, fixed + broken);
  return values;
}

describe('the paired bootstrap interval of the accuracy difference', () => {
  it('is centred on the observed difference with the binomial spread', () => {
    // 100 of 1,000 fixed: difference 0.1, standard error sqrt(0.1 * 0.9 / 1000) = 0.0095, so about 0.1 +/- 0.019.
    const { low, high } = bootstrapDifferenceInterval(perImage(100, 0));
    expect(low).toBeCloseTo(0.1 - 0.0186, 2);
    expect(high).toBeCloseTo(0.1 + 0.0186, 2);
  });

  it('straddles zero when fixes and breaks balance, and collapses when the runs agree', () => {
    const balanced = bootstrapDifferenceInterval(perImage(20, 20));
    expect(balanced.low).toBeLessThan(0);
    expect(balanced.high).toBeGreaterThan(0);
    expect(bootstrapDifferenceInterval(perImage(0, 0))).toEqual({ low: 0, high: 0 });
  });

  it('repeats exactly for a seed, and another seed barely moves it', () => {
    const values = perImage(30, 12);
    const seven = bootstrapDifferenceInterval(values, { seed: 7 });
    expect(bootstrapDifferenceInterval(values, { seed: 7 })).toEqual(seven);
    const eight = bootstrapDifferenceInterval(values, { seed: 8 });
    expect(Math.abs(eight.low - seven.low)).toBeLessThanOrEqual(0.003);
    expect(Math.abs(eight.high - seven.high)).toBeLessThanOrEqual(0.003);
  });
});

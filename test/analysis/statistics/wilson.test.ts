import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/analysis/statistics/wilson.ts';

describe('wilsonInterval', () => {
  it('matches published 95% intervals', () => {
    // 0 of 10: the "rule of three" territory where the normal interval collapses to [0, 0].
    const none = wilsonInterval(0, 10);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 4);
    const half = wilsonInterval(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 4);
    expect(half.high).toBeCloseTo(0.7634, 4);
    const some = wilsonInterval(81, 263);
    expect(some.low).toBeCloseTo(0.2553, 4);
    expect(some.high).toBeCloseTo(0.3662, 4);
  });

  it('is symmetric under swapping successes and failures, and stays inside [0, 1]', () => {
    const all = wilsonInterval(10, 10);
    expect(all.high).toBeLessThanOrEqual(1);
    expect(all.low).toBeCloseTo(1 - 0.2775, 4);
    const a = wilsonInterval(3, 40);
    const b = wilsonInterval(37, 40);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
  });

  it('says nothing is known from no trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

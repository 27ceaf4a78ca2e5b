import { describe, expect, it } from 'vitest';
import { classMetrics } from '../../src/analysis/class-metrics.ts';

describe('per-class metrics', () => {
  it('reads precision down the column, recall along the row', () => {
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    confusion[0]![0] = 8;
    confusion[0]![1] = 2; // two zeros taken for ones
    confusion[1]![1] = 6;
    const [zero, one, two] = classMetrics(confusion);
    expect(zero).toMatchObject({ support: 10, precision: 1, recall: 0.8 });
    expect(zero!.error).toBeCloseTo(0.2);
    expect(zero!.f1).toBeCloseTo((2 * 0.8) / 1.8);
    expect(one).toMatchObject({ support: 6, precision: 0.75, recall: 1, error: 0 });
    expect(two).toEqual({ label: 2, support: 0, precision: null, recall: null, f1: null, error: null });
  });
});

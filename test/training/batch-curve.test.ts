import { describe, expect, it } from 'vitest';
import { BatchCurve, CURVE_MAX_POINTS } from '../../src/training/batch-curve.ts';
import type { BatchProgress } from '../../src/training/train.ts';

const batchOf = (epoch: number, batch: number, batches: number, batchLoss: number, batchAccuracy = 0.5): BatchProgress => ({
  epoch,
  epochs: 5,
  batch,
  batches,
  loss: batchLoss,
  accuracy: batchAccuracy,
  batchLoss,
  batchAccuracy,
  etaSeconds: 1,
});

describe('the live per-batch curve', () => {
  it('starts at the first batch itself (debiased) and then smooths', () => {
    const curve = new BatchCurve();
    curve.add(batchOf(1, 1, 10, 2.3, 0.1));
    expect(curve.points()).toEqual([{ x: 0.1, loss: 2.3, accuracy: 0.1 }]);
    curve.add(batchOf(1, 2, 10, 0.3, 0.9));
    const second = curve.points()[1]!;
    // (0.9 * 0.1 * 2.3 + 0.1 * 0.3) / (1 - 0.9 ** 2): the weights of the batches so far sum to one.
    expect(second.loss).toBeCloseTo((0.9 * 0.23 + 0.03) / 0.19, 4);
    expect(second.x).toBe(0.2);
  });

  it('stays within its bound over a long run, spans all of it evenly, and ends on the latest batch', () => {
    const curve = new BatchCurve();
    const batches = 938;
    for (let epoch = 1; epoch <= 5; epoch++) {
      for (let batch = 1; batch <= batches; batch++) {
        curve.add(batchOf(epoch, batch, batches, 1 / (epoch + batch / batches)));
        expect(curve.points().length).toBeLessThanOrEqual(CURVE_MAX_POINTS);
      }
    }
    const points = curve.points();
    expect(points.length).toBeGreaterThan(CURVE_MAX_POINTS / 2);
    expect(points[0]!.x).toBeCloseTo(1 / batches, 6);
    expect(points.at(-1)!.x).toBe(5);
    const gaps = points.slice(1, -1).map((p, i) => p.x - points[i]!.x);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(1e-4);
    // A falling loss stays falling once smoothed.
    expect(points.every((p, i) => i === 0 || p.loss <= points[i - 1]!.loss)).toBe(true);
  });
});

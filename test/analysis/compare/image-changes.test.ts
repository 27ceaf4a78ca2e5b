import { describe, expect, it } from 'vitest';
import { correctnessDifference, imageChanges } from '../../../src/analysis/compare/image-changes.ts';

describe('following each test image from run A to run B', () => {
  // image:   0  1  2  3  4  5
  // label:   7  7  1  1  3  3
  // A:       7  1  1  7  3  8
  // B:       7  7  7  1  5  8
  const changes = imageChanges({
    labels: Uint8Array.from([7, 7, 1, 1, 3, 3]),
    a: Uint8Array.from([7, 1, 1, 7, 3, 8]),
    b: Uint8Array.from([7, 7, 7, 1, 5, 8]),
  });

  it('lists fixed and broken images and counts the right answers', () => {
    expect(changes).toMatchObject({ images: 6, correctA: 3, correctB: 3, fixed: [1, 3], broken: [2, 4] });
    expect(Array.from(correctnessDifference(changes))).toEqual([0, 1, -1, 1, -1, 0]);
  });

  it('records which images moved into and out of each confusion cell, and the B minus A counts', () => {
    expect(changes.cells).toEqual([
      { trueLabel: 1, predicted: 1, into: [3], outOf: [2] },
      { trueLabel: 1, predicted: 7, into: [2], outOf: [3] },
      { trueLabel: 3, predicted: 3, into: [], outOf: [4] },
      { trueLabel: 3, predicted: 5, into: [4], outOf: [] },
      { trueLabel: 7, predicted: 1, into: [], outOf: [1] },
      { trueLabel: 7, predicted: 7, into: [1], outOf: [] },
    ]);
    const nonZero = changes.confusionDifference.flatMap((row, t) => row.map((v, p) => [t, p, v]).filter(([, , v]) => v !== 0));
    expect(nonZero).toEqual([
      [3, 3, -1],
      [3, 5, 1],
      [7, 1, -1],
      [7, 7, 1],
    ]);
  });

  it('refuses prediction arrays of another length than the labels', () => {
    expect(() => imageChanges({ labels: new Uint8Array(3), a: new Uint8Array(3), b: new Uint8Array(2) })).toThrow(/counts differ/);
  });
});

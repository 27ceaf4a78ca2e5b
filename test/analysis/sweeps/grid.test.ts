import { describe, expect, it } from 'vitest';
import { consecutiveSeeds, gridPoints } from '../../../src/analysis/sweeps/grid.ts';

describe('the sweep grid', () => {
  it('is every combination, the last axis varying fastest', () => {
    expect(gridPoints({ lr: [1, 3], batch: [32, 64], seed: consecutiveSeeds(5, 2) })).toEqual([
      { lr: 1, batch: 32, seed: 5 },
      { lr: 1, batch: 32, seed: 6 },
      { lr: 1, batch: 64, seed: 5 },
      { lr: 1, batch: 64, seed: 6 },
      { lr: 3, batch: 32, seed: 5 },
      { lr: 3, batch: 32, seed: 6 },
      { lr: 3, batch: 64, seed: 5 },
      { lr: 3, batch: 64, seed: 6 },
    ]);
  });

  it('is one empty point without axes and none with an empty axis', () => {
    expect(gridPoints({})).toEqual([{}]);
    expect(gridPoints({ lr: [1], batch: [] })).toEqual([]);
  });
});

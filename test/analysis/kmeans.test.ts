import { describe, expect, it } from 'vitest';
import { kMeans } from '../../src/analysis/kmeans.ts';
import { seededRandom } from '../../src/core/random.ts';

describe('kMeans', () => {
  // Three tight groups on a line, around 0, 10 and 20, interleaved in the input order.
  const values = Array.from({ length: 30 }, (_, i) => (i % 3) * 10 + (i % 5) * 0.1);
  const data = Float64Array.from(values);
  const all = values.map((_, i) => i);

  it('finds well-separated groups', () => {
    const { assignment, centroids } = kMeans(data, 1, all, 3, seededRandom(1));
    for (let i = 0; i < 30; i++) expect(assignment[i]).toBe(assignment[i % 3]);
    expect(new Set(assignment).size).toBe(3);
    expect([...centroids].sort((a, b) => a - b).map(Math.round)).toEqual([0, 10, 20]);
  });

  it('repeats for a seed and clusters only the listed points', () => {
    const some = all.filter((i) => i % 3 !== 2);
    const a = kMeans(data, 1, some, 2, seededRandom(9));
    expect(kMeans(data, 1, some, 2, seededRandom(9))).toEqual(a);
    expect(a.assignment).toHaveLength(some.length);
    expect([...a.centroids].sort((x, y) => x - y).map(Math.round)).toEqual([0, 10]);
  });

  it('makes no more clusters than points', () => {
    expect(kMeans(data, 1, [4, 7], 5, seededRandom(1)).centroids).toHaveLength(2);
  });
});

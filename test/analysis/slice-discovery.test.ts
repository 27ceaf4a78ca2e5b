import { describe, expect, it } from 'vitest';
import { discoverSlices, type DiscoveryInput } from '../../src/analysis/slice-discovery.ts';
import { seededRandom } from '../../src/core/random.ts';

/**
 * 10 classes of 200 images in a 2-D "embedding", each class a blob of its own, errors at a 5% rate
 * scattered at random; with `planted`, 30 of class 3's images sit apart and 24 of them are wrong.
 */
function madeUpRun(planted: boolean): DiscoveryInput & { plantedIndices: number[] } {
  const random = seededRandom(11);
  const count = 2000;
  const labels = new Uint8Array(count);
  const predicted = new Uint8Array(count);
  const vectors = new Float32Array(count * 2);
  const plantedIndices: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    const inSlice = planted && label === 3 && plantedIndices.length < 30;
    if (inSlice) plantedIndices.push(i);
    vectors[2 * i] = label * 100 + (inSlice ? 50 + random() * 3 : random() * 10);
    vectors[2 * i + 1] = random() * 10;
    const wrong = inSlice ? plantedIndices.length <= 24 : random() < 0.05;
    predicted[i] = wrong ? (label + 5) % 10 : label;
  }
  return { labels, predicted, embeddings: { dimensions: 2, vectors }, plantedIndices };
}

describe('discoverSlices', () => {
  it('finds a planted weak group first, with its members and what it is mistaken for', () => {
    const run = madeUpRun(true);
    const slices = discoverSlices(run, { clustersPerClass: 6, minSize: 10 });
    const first = slices[0];
    expect(first?.label).toBe(3);
    const planted = new Set(run.plantedIndices);
    expect(first!.members.filter((i) => planted.has(i)).length).toBeGreaterThanOrEqual(0.8 * first!.members.length);
    // k-means++ may split the group across two clusters; together the reported ones cover it.
    const covered = new Set(slices.filter((s) => s.label === 3).flatMap((s) => s.members.filter((i) => planted.has(i))));
    expect(covered.size).toBeGreaterThanOrEqual(24);
    expect(slices.every((s) => s.label === 3)).toBe(true);
    expect(first!.mistakenFor[0]).toEqual({ label: 8, count: expect.any(Number) });
    expect(first!.excess).toBeCloseTo(first!.errorRate - first!.classErrorRate, 12);
    expect(first!.adjustedP).toBeLessThan(1e-6);
    // Errors first: the members a person wants to look at.
    expect(run.predicted[first!.members[0]!]).not.toBe(3);
  });

  it('reports nothing when errors are spread evenly', () => {
    expect(discoverSlices(madeUpRun(false), { clustersPerClass: 6, minSize: 10 })).toEqual([]);
  });

  it('gives the same answer for the same seed', () => {
    const run = madeUpRun(true);
    expect(discoverSlices(run, { seed: 4 })).toEqual(discoverSlices(run, { seed: 4 }));
  });
});

import { describe, expect, it } from 'vitest';
import { datasetFacts } from '../../src/analysis/dataset-facts.ts';
import { loadMnist, type MnistSplit } from '../../src/data/mnist.ts';

/** A tiny split: image i is class i % 10, every pixel of it equal to 10 * (i % 10) + (i >= 10 ? 4 : 0). */
function tinySplit(count: number): MnistSplit {
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < count; i++) images.fill(10 * (i % 10) + (i >= 10 ? 4 : 0), i * 784, (i + 1) * 784);
  return { images, labels, count, rows: 28, cols: 28, imagesSha256: '', labelsSha256: '' };
}

describe('datasetFacts', () => {
  it('counts classes and averages each class image', () => {
    const facts = datasetFacts(tinySplit(20), tinySplit(10));
    expect(facts.train.classCounts).toEqual(new Array(10).fill(2));
    expect(facts.test.classCounts).toEqual(new Array(10).fill(1));
    expect(facts.train.meanImages[3]![400]).toBe(32); // (30 + 34) / 2
    expect(facts.test.meanImages[3]![0]).toBe(30);
  });

  it('measures crossed-seven prevalence in the real test split', () => {
    const test = loadMnist('test');
    const facts = datasetFacts(tinySplit(10), test);
    const prevalence = facts.test.crossedSevens!;
    expect(prevalence.sevens).toBe(1028);
    expect(prevalence.crossed).toBe(prevalence.crossedIndices.length);
    expect(prevalence.crossed + prevalence.plainIndices.length).toBe(1028);
    expect(prevalence.interval.low).toBeLessThan(prevalence.share);
    expect(prevalence.interval.high).toBeGreaterThan(prevalence.share);
    expect(facts.prevalenceP).toBeGreaterThanOrEqual(0);
    expect(facts.prevalenceP).toBeLessThanOrEqual(1);
  });
});

import type { MnistSplit } from '../data/mnist.ts';
import { partitionSevens } from './slices.ts';
import { hypergeometricUpperTail } from './statistics/exact-tails.ts';
import { wilsonInterval, type Interval } from './statistics/wilson.ts';

export interface Prevalence {
  crossed: number;
  sevens: number;
  share: number;
  /** Wilson 95% interval of the share. */
  interval: Interval;
  /** Detected crossed and plain sevens, dataset indices. */
  crossedIndices: number[];
  plainIndices: number[];
}

export interface SplitFacts {
  count: number;
  /** Images per class. */
  classCounts: number[];
  /** MNIST's only: null on any other dataset, whose label 7 is no seven. */
  crossedSevens: Prevalence | null;
  /** Per class, the mean image: 784 bytes, row-major, like MNIST's own. */
  meanImages: Uint8Array[];
}

export interface DatasetFacts {
  train: SplitFacts;
  test: SplitFacts;
  /**
   * Two-sided Fisher exact p that crossed sevens are as common in test as in train: small would mean
   * the splits were drawn from different writers' habits.
   */
  prevalenceP: number | null;
}

function meanImages(data: MnistSplit, classCounts: number[]): Uint8Array[] {
  const pixels = data.rows * data.cols;
  const sums = Array.from({ length: classCounts.length }, () => new Float64Array(pixels));
  for (let i = 0; i < data.count; i++) {
    const sum = sums[data.labels[i]!]!;
    for (let p = 0; p < pixels; p++) sum[p]! += data.images[i * pixels + p]!;
  }
  return sums.map((sum, label) => Uint8Array.from(sum, (value) => Math.round(value / Math.max(1, classCounts[label]!))));
}

function prevalence(data: MnistSplit): Prevalence {
  const { crossed, plain } = partitionSevens(data);
  const sevens = crossed.length + plain.length;
  return {
      crossed: crossed.length,
      sevens,
      share: sevens > 0 ? crossed.length / sevens : 0,
      interval: wilsonInterval(crossed.length, sevens),
      crossedIndices: crossed,
      plainIndices: plain,
  };
}

function splitFacts(data: MnistSplit, classes: number, sevens: boolean): SplitFacts {
  const classCounts = new Array<number>(classes).fill(0);
  for (const label of data.labels) classCounts[label]!++;
  return { count: data.count, classCounts, crossedSevens: sevens ? prevalence(data) : null, meanImages: meanImages(data, classCounts) };
}

/**
 * Class balance, mean images and (MNIST only, `sevens`) crossed-seven prevalence of both splits of
 * a dataset of `classes` classes (about a second of work).
 */
export function datasetFacts(train: MnistSplit, test: MnistSplit, { classes = 10, sevens = true }: { classes?: number; sevens?: boolean } = {}): DatasetFacts {
  const facts = { train: splitFacts(train, classes, sevens), test: splitFacts(test, classes, sevens) };
  const a = facts.test.crossedSevens;
  const b = facts.train.crossedSevens;
  if (!a || !b) return { ...facts, prevalenceP: null };
  const population = a.sevens + b.sevens;
  const marked = a.crossed + b.crossed;
  // Two-sided from the two one-sided tails of the test split's share of all crossed sevens.
  const higher = hypergeometricUpperTail(a.crossed, population, marked, a.sevens);
  const lower = 1 - hypergeometricUpperTail(a.crossed + 1, population, marked, a.sevens);
  return { ...facts, prevalenceP: Math.min(1, 2 * Math.min(higher, lower)) };
}

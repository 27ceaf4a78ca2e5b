import { createHash } from 'node:crypto';
import { runThreadJob } from '../core/thread-job.ts';
import type { DatasetSplit } from '../data/datasets/dataset.ts';

/**
 * Leakage between a dataset's splits: test images that are also in the training set, exactly (the
 * same 784 bytes) or nearly (a small pixel distance).
 *
 * Near means a root-mean-square pixel difference of at most NEAR_RMS of full scale, about 5 grey
 * levels in 255 on average: what re-encoding, a brightness change or a speck of noise leaves, while
 * moving one stroke a single pixel costs several times more. Measured: at 0.02 MNIST has no test
 * image this close to a training image, Fashion-MNIST 6 (the closest at 0.003, one photo twice); at
 * 0.04 MNIST gains 15, all thin, nearly inkless drawings (ones) whose few pixels happen to agree,
 * which are two drawings rather than one picture twice. So 0.02.
 */
export const NEAR_RMS = 0.02;

export interface DuplicatePair {
  test: number;
  train: number;
  /** RMS pixel difference, 0..1; 0 for an exact duplicate. */
  rms: number;
}

export interface Duplicates {
  /** Test images with a byte-identical training image (the first such one). */
  exact: DuplicatePair[];
  /** Test images whose nearest training image is within NEAR_RMS but not identical. */
  near: DuplicatePair[];
  testCount: number;
  trainCount: number;
  threshold: number;
  /** Full 784-pixel distances computed after the bounds pruned the rest. */
  comparisons: number;
  seconds: number;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const BLOCK = 4;
const POOLED_SIDE = SIDE / BLOCK;
const POOLED = POOLED_SIDE * POOLED_SIDE;

/**
 * Each image as 49 block means scaled by the block's side (4): by Cauchy–Schwarz the distance of
 * two such vectors never exceeds the distance of the full images, so a pair the pooled vectors put
 * beyond the threshold is beyond it in full, and pruning by them loses no near duplicate.
 */
function pooled(images: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count * POOLED);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        out[i * POOLED + Math.floor(y / BLOCK) * POOLED_SIDE + Math.floor(x / BLOCK)]! += images[i * PIXELS + y * SIDE + x]! / 255;
      }
    }
  }
  for (let k = 0; k < out.length; k++) out[k]! /= BLOCK; // mean (÷16) times 4
  return out;
}

/** Dimensions of the search grid: 3^4 = 81 cells visited per test image. */
const GRID_DIMS = 4;

/** The pooled coordinates with the largest variance over `count` vectors, most first. */
function widestCoordinates(vectors: Float32Array, count: number): number[] {
  const mean = new Float64Array(POOLED);
  const square = new Float64Array(POOLED);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < POOLED; k++) {
      const v = vectors[i * POOLED + k]!;
      mean[k]! += v;
      square[k]! += v * v;
    }
  }
  const variance = Array.from(mean, (m, k) => square[k]! / Math.max(1, count) - (m / Math.max(1, count)) ** 2);
  return [...variance.keys()].sort((a, b) => variance[b]! - variance[a]!).slice(0, GRID_DIMS);
}

/** Every offset in {-1, 0, 1}^n. */
function neighbourOffsets(n: number): number[][] {
  let out: number[][] = [[]];
  for (let d = 0; d < n; d++) out = out.flatMap((prefix) => [-1, 0, 1].map((o) => [...prefix, o]));
  return out;
}

const key = (images: Uint8Array, i: number) => createHash('sha1').update(images.subarray(i * PIXELS, (i + 1) * PIXELS)).digest('base64');

/**
 * Exact duplicates by hashing every image's bytes; near ones by a search bounded three ways: a grid
 * on four pooled coordinates (a pair within distance T differs by at most T in each), then the
 * pooled distance, abandoned as soon as its partial sum passes T², then the full distance likewise.
 * None of the bounds can drop a pair within the threshold.
 */
export function findDuplicates(train: DatasetSplit, test: DatasetSplit, threshold = NEAR_RMS): Duplicates {
  const started = performance.now();
  const byBytes = new Map<string, number>();
  for (let i = 0; i < train.count; i++) {
    const k = key(train.images, i);
    if (!byBytes.has(k)) byBytes.set(k, i);
  }
  const exact: DuplicatePair[] = [];
  const exactTest = new Set<number>();
  for (let t = 0; t < test.count; t++) {
    const found = byBytes.get(key(test.images, t));
    if (found !== undefined) {
      exact.push({ test: t, train: found, rms: 0 });
      exactTest.add(t);
    }
  }

  const limit = threshold * Math.sqrt(PIXELS); // the L2 distance on [0,1] pixels that RMS `threshold` means
  const limit2 = limit * limit;
  const pooledTrain = pooled(train.images, train.count);
  const pooledTest = pooled(test.images, test.count);
  const norms = (images: Uint8Array, count: number) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let sum = 0;
      for (let p = 0; p < PIXELS; p++) sum += (images[i * PIXELS + p]! / 255) ** 2;
      out[i] = Math.sqrt(sum);
    }
    return out;
  };
  const trainNorms = norms(train.images, train.count);
  const testNorms = norms(test.images, test.count);
  // A grid over the GRID_DIMS pooled coordinates that vary most: two images within distance T differ
  // by at most T in each coordinate, so a test image's near duplicates lie in its cell or the next ones.
  const dims = widestCoordinates(pooledTrain, train.count);
  const cellOf = (v: Float32Array, i: number, d: number) => Math.floor(v[i * POOLED + dims[d]!]! / limit);
  const grid = new Map<string, number[]>();
  for (let i = 0; i < train.count; i++) {
    const k = dims.map((_, d) => cellOf(pooledTrain, i, d)).join(',');
    let list = grid.get(k);
    if (!list) grid.set(k, (list = []));
    list.push(i);
  }
  const offsets = neighbourOffsets(dims.length);

  const near: DuplicatePair[] = [];
  let comparisons = 0;
  for (let t = 0; t < test.count; t++) {
    if (exactTest.has(t)) continue;
    let best = -1;
    let bestD2 = limit2;
    const cell = dims.map((_, d) => cellOf(pooledTest, t, d));
    for (const offset of offsets) {
      const candidates = grid.get(cell.map((c, d) => c + offset[d]!).join(','));
      if (!candidates) continue;
      for (const i of candidates) {
        // Two images within distance T have norms within T: the cheapest bound first.
        if (Math.abs(trainNorms[i]! - testNorms[t]!) > limit) continue;
        let d2 = 0;
        for (let k = 0; k < POOLED && d2 <= bestD2; k++) d2 += (pooledTest[t * POOLED + k]! - pooledTrain[i * POOLED + k]!) ** 2;
        if (d2 > bestD2) continue;
        comparisons++;
        d2 = 0;
        for (let p = 0; p < PIXELS && d2 <= bestD2; p++) d2 += ((test.images[t * PIXELS + p]! - train.images[i * PIXELS + p]!) / 255) ** 2;
        if (d2 <= bestD2) {
          bestD2 = d2;
          best = i;
        }
      }
    }
    if (best >= 0) near.push({ test: t, train: best, rms: Math.sqrt(bestD2 / PIXELS) });
  }
  near.sort((a, b) => a.rms - b.rms || a.test - b.test);
  return { exact, near, testCount: test.count, trainCount: train.count, threshold, comparisons, seconds: (performance.now() - started) / 1000 };
}

/** findDuplicates in a worker thread (seconds of work on 70,000 images), for a server. */
export async function findDuplicatesInThread(train: DatasetSplit, test: DatasetSplit): Promise<Duplicates> {
  const script = new URL('./duplicates-thread.mjs', import.meta.url);
  const strip = (split: DatasetSplit): DatasetSplit => ({ ...split, images: split.images.slice(), labels: split.labels.slice() });
  return runThreadJob<Duplicates, { kind: 'done'; duplicates: Duplicates } | { kind: 'failed'; error: string }>(
    script,
    { train: strip(train), test: strip(test) },
    'duplicate search',
    (message, control) => (message.kind === 'done' ? control.resolve(message.duplicates) : control.reject(new Error(message.error))),
  );
}

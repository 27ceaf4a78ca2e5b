import { describe, expect, it } from 'vitest';
import { exactNeighbours } from '../../../src/analysis/maps/knn.ts';
import { projectToPrincipalComponents } from '../../../src/analysis/maps/pca.ts';
import { neighbourhoodAgreement } from '../../../src/analysis/maps/neighbourhood-agreement.ts';
import { umapJsLayoutFromNeighbours } from '../../../src/analysis/maps/umap-js-reference.ts';
import { LAYOUT_DEFAULTS, layoutFromNeighbours, umapLayout } from '../../../src/analysis/maps/umap-layout.ts';
import { umapLayoutInThread } from '../../../src/analysis/maps/layout-in-thread.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { loadDataset, registerDataset, threadDataset } from '../../../src/data/datasets/catalogue.ts';
import { tempDir, writePictureFolder } from '../../helpers/datasets.ts';
import { memoryDb } from '../../helpers/db.ts';

/** Two well-separated blobs of `perBlob` points in `dimensions` dimensions. */
function twoBlobs(perBlob: number, dimensions: number): Float32Array {
  const random = seededRandom(7);
  const data = new Float32Array(2 * perBlob * dimensions);
  for (let i = 0; i < 2 * perBlob; i++) {
    for (let d = 0; d < dimensions; d++) data[i * dimensions + d] = (i < perBlob ? 0 : 10) + random();
  }
  return data;
}

/** `clusters` blobs of `perCluster` points, centres 20 apart on separate axes, unit spread within. */
function separateClusters(clusters: number, perCluster: number, dimensions: number): Float32Array {
  const random = seededRandom(11);
  const data = new Float32Array(clusters * perCluster * dimensions);
  for (let i = 0; i < clusters * perCluster; i++) {
    for (let d = 0; d < dimensions; d++) data[i * dimensions + d] = random() + random() - 1 + (d === i % clusters ? 20 : 0);
  }
  return data;
}

describe('layoutFromNeighbours', () => {
  it('takes the same steps as umap-js: the same seed gives the same layout', () => {
    const knn = exactNeighbours(twoBlobs(40, 5), 5, 6);
    // Ten epochs: our x^b differs from Math.pow's in the last bits, and SGD grows such differences
    // over many epochs; over ten they stay near 1e-12, while any other step would move points by units.
    const ours = layoutFromNeighbours(knn, { epochs: 10, random: seededRandom(9) });
    const theirs = umapJsLayoutFromNeighbours(knn, { epochs: 10, random: seededRandom(9) });
    expect(ours).toHaveLength(theirs.length);
    ours.forEach((value, i) => expect(value).toBeCloseTo(theirs[i]!, 9));
  });

  it('keeps clusters apart and neighbourhoods as well as umap-js does with other seeds', () => {
    const clusters = 5;
    const data = separateClusters(clusters, 80, 8);
    const knn = exactNeighbours(data, 8, 10);
    const agreement = (layout: Float64Array) => neighbourhoodAgreement(data, 8, Float32Array.from(layout), 15);
    const reference = [1, 2].map((seed) => agreement(umapJsLayoutFromNeighbours(knn, { epochs: 100, random: seededRandom(seed) })));
    const ours = [3, 4].map((seed) => layoutFromNeighbours(knn, { epochs: 100, random: seededRandom(seed) }));
    // Within-seed noise of umap-js's own figure is a few hundredths; a broken gradient or graph loses far more.
    const bar = Math.min(...reference) - 0.03;
    for (const layout of ours) {
      expect(agreement(layout)).toBeGreaterThan(bar);
      const { indices } = exactNeighbours(Float32Array.from(layout), 2, 2);
      const sameCluster = indices.filter(([self, nearest]) => self! % clusters === nearest! % clusters).length;
      expect(sameCluster / indices.length).toBeGreaterThan(0.98);
    }
  });
});

describe('exactNeighbours', () => {
  it('finds the true nearest points, self first', () => {
    // Points on a line at 0, 1, 3, 7, 15: each one's nearest other point is known.
    const points = Float32Array.from([0, 1, 3, 7, 15]);
    const { indices, distances } = exactNeighbours(points, 1, 3);
    expect(indices).toEqual([[0, 1, 2], [1, 0, 2], [2, 1, 0], [3, 2, 1], [4, 3, 2]]);
    expect(distances[3]).toEqual([0, 4, 6]);
  });

  it('agrees with sorting every distance, across blocks of points', () => {
    const random = seededRandom(4);
    const count = 1100; // past two blocks of 512, so pairs across blocks and the ragged end count
    const points = Float32Array.from({ length: count * 3 }, () => random());
    const { indices, distances } = exactNeighbours(points, 3, 5);
    for (const i of [0, 1, 511, 512, 700, 1099]) {
      const byDistance = Array.from({ length: count }, (_, j) => ({ j, d: Math.hypot(...[0, 1, 2].map((c) => points[i * 3 + c]! - points[j * 3 + c]!)) }))
        .sort((x, y) => x.d - y.d)
        .slice(0, 5);
      expect(indices[i]).toEqual(byDistance.map(({ j }) => j));
      distances[i]!.forEach((d, n) => expect(d).toBeCloseTo(byDistance[n]!.d, 5));
    }
  });
});

describe('projectToPrincipalComponents', () => {
  it('keeps the direction the data varies along', () => {
    // Points spread along (1, 1, 0) with little noise: the first component carries the spread.
    const random = seededRandom(3);
    const data = new Float32Array(300 * 3);
    for (let i = 0; i < 300; i++) {
      const t = i - 150;
      data.set([t + random() * 0.1, t + random() * 0.1, random() * 0.1], i * 3);
    }
    const projected = projectToPrincipalComponents(data, 3, 1, seededRandom(1));
    const spread = Math.abs(projected[299]! - projected[0]!);
    expect(spread).toBeCloseTo(299 * Math.SQRT2, 0);
  });
});

describe('umapLayout', () => {
  const data = twoBlobs(60, 8);
  const options = { epochs: 30, components: 4, neighbours: 8 };

  it('repeats exactly for a seed and keeps separate blobs apart', () => {
    const first = umapLayout(data, 8, { ...options, seed: 5 });
    expect(umapLayout(data, 8, { ...options, seed: 5 })).toEqual(first);
    expect(first).toHaveLength(240);
    // Each point's nearest neighbour on the map should come from its own blob.
    const { indices } = exactNeighbours(first, 2, 2);
    const sameBlob = indices.filter(([self, nearest]) => self! < 60 === nearest! < 60).length;
    expect(sameBlob / 120).toBeGreaterThan(0.95);
  });

  it('lays out fewer points than its neighbours setting, each with all the others as neighbours', () => {
    const few = twoBlobs(4, 8);
    expect(LAYOUT_DEFAULTS.neighbours).toBeGreaterThan(7);
    const layout = umapLayout(few, 8, { seed: 5, epochs: 30 });
    expect(layout).toHaveLength(16);
    expect(layout.every(Number.isFinite)).toBe(true);
  });

  it('runs in a worker thread with progress reports, giving the same layout', async () => {
    const fractions: number[] = [];
    const inWorker = await umapLayoutInThread({ kind: 'vectors', data, dimensions: 8 }, { ...options, seed: 5, onProgress: (f) => fractions.push(f) });
    expect(inWorker).toEqual(umapLayout(data, 8, { ...options, seed: 5 }));
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.length).toBeGreaterThan(3);
  });

  it("reads a picture folder's test pixels in the thread, from what the store sent it", async () => {
    const db = memoryDb();
    registerDataset(db, 'pictures', writePictureFolder(tempDir('layout')));
    const stages: string[] = [];
    const inWorker = await umapLayoutInThread({ kind: 'test-pixels', dataset: threadDataset(db, 'pictures', ['test']) }, { ...options, seed: 5, onProgress: (_f, stage) => stages.push(stage) });
    const test = loadDataset(db, 'pictures', 'test');
    expect(inWorker).toHaveLength(2 * test.count);
    expect(inWorker).toEqual(umapLayout(test.images, 784, { ...options, seed: 5 }));
    expect(stages[0]).toBe('reading the test set');
  });
});

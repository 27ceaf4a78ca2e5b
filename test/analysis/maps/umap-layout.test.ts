import { describe, expect, it } from 'vitest';
import { exactNeighbours } from '../../../src/analysis/maps/knn.ts';
import { projectToPrincipalComponents } from '../../../src/analysis/maps/pca.ts';
import { LAYOUT_DEFAULTS, umapLayout } from '../../../src/analysis/maps/umap-layout.ts';
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

describe('exactNeighbours', () => {
  it('finds the true nearest points, self first', () => {
    // Points on a line at 0, 1, 3, 7, 15: each one's nearest other point is known.
    const points = Float32Array.from([0, 1, 3, 7, 15]);
    const { indices, distances } = exactNeighbours(points, 1, 3);
    expect(indices).toEqual([[0, 1, 2], [1, 0, 2], [2, 1, 0], [3, 2, 1], [4, 3, 2]]);
    expect(distances[3]).toEqual([0, 4, 6]);
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

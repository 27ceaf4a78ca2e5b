import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MapJobs } from '../../../src/analysis/maps/map-jobs.ts';
import { loadMap, pixelMapKey, runMapKey, saveMap } from '../../../src/analysis/maps/map-store.ts';
import type { LayoutInput } from '../../../src/analysis/maps/layout-input.ts';
import { umapLayout, type LayoutOptions } from '../../../src/analysis/maps/umap-layout.ts';
import { loadDataset, registerDataset } from '../../../src/data/datasets/catalogue.ts';
import { DatasetNotFoundError } from '../../../src/data/datasets/dataset.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { tempDir, writeIdxSet } from '../../helpers/datasets.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';
import { layoutInProcess as inProcess } from '../../helpers/layouts.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

const IMAGES = 80;

function completedRun(db: ReturnType<typeof memoryDb>, dataset = 'mnist') {
  const run = runningRun(db, { dataset });
  const random = seededRandom(2);
  const vectors = Float32Array.from({ length: IMAGES * 4 }, () => random());
  completeWithoutTraining(db, run, { predicted: new Uint8Array(IMAGES), embeddings: { dimensions: 4, vectors } });
  return run;
}

const small: LayoutOptions = { epochs: 10, components: 3, neighbours: 5 };

describe('MapJobs', () => {
  it('computes a run map once, shares the job between requests, and stores it', async () => {
    const db = memoryDb();
    const run = completedRun(db);
    const jobs = new MapJobs(db, inProcess, small);
    const key = runMapKey(run.id);
    expect(jobs.status(key)).toEqual({ state: 'absent' });
    expect(jobs.start(key).state).toBe('computing');
    expect(jobs.start(key).state).toBe('computing');
    const map = await jobs.get(key);
    expect(map).toMatchObject({ count: IMAGES, seed: 42 });
    expect(map.coordinates).toHaveLength(2 * IMAGES);
    const status = jobs.status(key);
    expect(status.state).toBe('ready');
    // Stored: a new MapJobs on the same database (a restarted server) finds it without computing.
    const fresh = new MapJobs(db, () => Promise.reject(new Error('must not recompute')));
    expect(fresh.status(key)).toMatchObject({ state: 'ready' });
  });

  it('says a run without embeddings cannot be mapped', () => {
    const db = memoryDb();
    const jobs = new MapJobs(db, inProcess, small);
    expect(jobs.start(runMapKey(runningRun(db).id)).state).toBe('unavailable');
  });

  it('keeps a failure to show, and tries again on the next start', async () => {
    const db = memoryDb();
    const key = runMapKey(completedRun(db).id);
    let calls = 0;
    const flaky = (input: LayoutInput, options: LayoutOptions) => (++calls === 1 ? Promise.reject(new Error('worker died')) : inProcess(input, options));
    const jobs = new MapJobs(db, flaky, small);
    await expect(jobs.get(key)).rejects.toThrow('worker died');
    expect(jobs.status(key)).toEqual({ state: 'failed', error: 'worker died' });
    jobs.start(key);
    await jobs.get(key);
    expect(jobs.status(key).state).toBe('ready');
  });

  it('runs one layout at a time and queues the rest, however many maps are asked for', async () => {
    const db = memoryDb();
    const keys = Array.from({ length: 4 }, () => runMapKey(completedRun(db).id));
    let running = 0;
    let most = 0;
    const counted = async (input: LayoutInput, options: LayoutOptions) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return inProcess(input, options);
    };
    const jobs = new MapJobs(db, counted, small);
    expect(keys.map((key) => jobs.start(key))).toEqual([
      { state: 'computing', fraction: 0, stage: 'starting' },
      ...Array(3).fill({ state: 'computing', fraction: 0, stage: 'waiting for another map to finish' }),
    ]);
    await Promise.all(keys.map((key) => jobs.get(key)));
    expect(most).toBe(1);
    expect(keys.every((key) => jobs.status(key).state === 'ready')).toBe(true);
  });

  it("maps a registered dataset's own test pixels, stored apart from MNIST's pixel map", async () => {
    const db = memoryDb();
    registerDataset(db, 'shapes', writeIdxSet(path.join(tempDir('pixel-map'), 'shapes'), { classes: ['circle', 'square', 'triangle', 'star'] }));
    const mnist = { key: pixelMapKey('mnist'), count: 3, seed: 1, coordinates: new Float32Array(6).fill(5), seconds: 2 };
    saveMap(db, mnist);
    const jobs = new MapJobs(db, inProcess, small);
    const key = pixelMapKey('shapes');
    expect(jobs.status(key)).toEqual({ state: 'absent' });
    const map = await jobs.get(key);
    const test = loadDataset(db, 'shapes', 'test');
    expect(map.count).toBe(test.count);
    expect(map.coordinates).toEqual(umapLayout(test.images, 784, { ...small, seed: 42 }));
    expect(loadMap(db, key)).toMatchObject({ count: test.count });
    expect(loadMap(db, pixelMapKey('mnist'))).toMatchObject({ count: 3, coordinates: mnist.coordinates });
  });

  it("records a run's map under its run's dataset", async () => {
    const db = memoryDb();
    const run = completedRun(db, 'fashion-mnist');
    await new MapJobs(db, inProcess, small).get(runMapKey(run.id));
    expect(db.$client.prepare('SELECT dataset FROM embedding_maps WHERE run_id = ?').pluck().get(run.id)).toBe('fashion-mnist');
  });

  it('refuses a dataset it does not know, by name', () => {
    const jobs = new MapJobs(memoryDb(), inProcess, small);
    expect(() => jobs.start(pixelMapKey('no-such'))).toThrow(DatasetNotFoundError);
    expect(() => jobs.start(pixelMapKey('no-such'))).toThrow("no dataset named 'no-such'");
  });
});

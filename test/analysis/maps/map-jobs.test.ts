import { describe, expect, it } from 'vitest';
import { MapJobs } from '../../../src/analysis/maps/map-jobs.ts';
import { runMapKey } from '../../../src/analysis/maps/map-store.ts';
import { umapLayout, type LayoutOptions } from '../../../src/analysis/maps/umap-layout.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

const IMAGES = 80;

function completedRun(db: ReturnType<typeof memoryDb>) {
  const run = runningRun(db);
  const random = seededRandom(2);
  const vectors = Float32Array.from({ length: IMAGES * 4 }, () => random());
  completeWithoutTraining(db, run, { predicted: new Uint8Array(IMAGES), embeddings: { dimensions: 4, vectors } });
  return run;
}

const small: LayoutOptions = { epochs: 10, components: 3, neighbours: 5 };
const inProcess = (data: Float32Array | Uint8Array, dimensions: number, options: LayoutOptions) =>
  Promise.resolve(umapLayout(data, dimensions, options));

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
    const flaky = (data: Float32Array | Uint8Array, dimensions: number, options: LayoutOptions) =>
      ++calls === 1 ? Promise.reject(new Error('worker died')) : inProcess(data, dimensions, options);
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
    const counted = async (data: Float32Array | Uint8Array, dimensions: number, options: LayoutOptions) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      return umapLayout(data, dimensions, options);
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
});

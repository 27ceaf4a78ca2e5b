import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runs } from '../../db/schema.ts';
import { IllegalTransitionError } from '../../src/store/run-lifecycle.ts';
import {
  claimRun,
  completeRun,
  createRun,
  endRun,
  epochHistory,
  failDeadRuns,
  getRun,
  listRuns,
  loadSavedModel,
  loadTestEmbeddings,
  loadTestPredictions,
  logEpoch,
  RunNotFoundError,
  runTagMap,
  setNote,
  setTag,
  testConfusion,
  validationConfusions,
} from '../../src/store/store.ts';
import { memoryDb, runningRun, smallRunParams } from '../helpers/db.ts';

const confusion = (diagonal: number) =>
  Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? diagonal : 0)));

const epoch = (n: number) => ({
  epoch: n,
  loss: 1 / n,
  accuracy: 0.9,
  valLoss: 0.5,
  valAccuracy: 0.85,
  seconds: 2,
  valConfusion: confusion(n),
});

describe('the run store', () => {
  it('records a run from queued to completed with metrics, confusions, predictions and weights', () => {
    const db = memoryDb();
    const run = createRun(db, { name: 'r', params: smallRunParams(), tags: { team: 'a' } });
    expect(run.status).toBe('queued');
    expect(claimRun(db, run.id)).toBe(true);
    expect(claimRun(db, run.id)).toBe(false);
    expect(getRun(db, run.id).pid).toBe(process.pid);

    logEpoch(db, run.id, epoch(1));
    logEpoch(db, run.id, epoch(2));
    const probabilities = Float32Array.from({ length: 30 }, (_, i) => i / 100);
    completeRun(
      db,
      run.id,
      {
        loss: 0.1,
        accuracy: 0.97,
        confusion: confusion(3),
        predicted: Uint8Array.from([9, 8, 7]),
        probabilities,
        embeddings: Float32Array.from({ length: 6 }, (_, i) => i - 2.5),
        embeddingDimensions: 2,
        trainSamplesPerSecond: 1234,
      },
      { topology: { layers: [] }, weightSpecs: [{ name: 'w' }], weightData: Buffer.from([1, 2, 3, 4]) },
    );

    const done = getRun(db, run.id);
    expect([done.status, done.testAccuracy, done.testLoss, done.trainSamplesPerSecond]).toEqual(['completed', 0.97, 0.1, 1234]);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(epochHistory(db, run.id).map((e) => [e.epoch, e.loss])).toEqual([[1, 1], [2, 0.5]]);
    expect(validationConfusions(db, run.id).map((c) => [c.epoch, c.counts[0]![0]])).toEqual([[1, 1], [2, 2]]);
    expect(testConfusion(db, run.id)![4]![4]).toBe(3);
    const predictions = loadTestPredictions(db, run.id)!;
    expect(Array.from(predictions.predicted)).toEqual([9, 8, 7]);
    expect(predictions.probabilities).toEqual(probabilities);
    expect(loadTestEmbeddings(db, run.id)).toEqual({ dimensions: 2, vectors: Float32Array.from([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]) });
    expect(loadSavedModel(db, run.id)!.weightData).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(runTagMap(db, run.id)).toEqual({ team: 'a' });
  });

  it('stores test embeddings as float16, at half the bytes, and still reads the float32 rows of older stores', () => {
    const db = memoryDb();
    const run = runningRun(db);
    // 1/3 is not a float16 value: what comes back is the nearest one, within half precision's 2^-11.
    const embeddings = Float32Array.from([1 / 3, -7.25, 0, 1000.5]);
    const results = { loss: 0.1, accuracy: 0.5, confusion: confusion(0), predicted: Uint8Array.from([1, 2]), probabilities: new Float32Array(20), embeddings, embeddingDimensions: 2, trainSamplesPerSecond: 1 };
    completeRun(db, run.id, results, { topology: {}, weightSpecs: [], weightData: Buffer.from([0]) });
    const bytes = () => db.$client.prepare('select length(vectors) from test_embeddings where run_id = ?').pluck().get(run.id);
    expect(bytes()).toBe(4 * 2);
    const read = loadTestEmbeddings(db, run.id)!.vectors;
    expect(Array.from(read.subarray(1))).toEqual([-7.25, 0, 1000.5]);
    expect(read[0]).not.toBe(embeddings[0]);
    expect(Math.abs(read[0]! - 1 / 3)).toBeLessThan(2 ** -11 / 3);

    // A row written before the change: float32, the same four values exactly.
    db.$client.prepare('update test_embeddings set vectors = ? where run_id = ?').run(Buffer.from(embeddings.buffer), run.id);
    expect(bytes()).toBe(4 * 4);
    expect(loadTestEmbeddings(db, run.id)!.vectors).toEqual(embeddings);
  });

  it('keeps epoch history append-only: an epoch cannot be written twice', () => {
    const db = memoryDb();
    const run = runningRun(db);
    logEpoch(db, run.id, epoch(1));
    expect(() => logEpoch(db, run.id, { ...epoch(1), loss: 0 })).toThrow(/UNIQUE/);
    expect(epochHistory(db, run.id)[0]!.loss).toBe(1);
    // The failed write took its confusion matrix with it.
    expect(validationConfusions(db, run.id)).toHaveLength(1);
  });

  it('ends a run as failed or cancelled, keeping its epochs, and refuses to rewrite a finished run', () => {
    const db = memoryDb();
    const failed = runningRun(db);
    logEpoch(db, failed.id, epoch(1));
    endRun(db, failed.id, 'failed', 'training diverged');
    expect(getRun(db, failed.id)).toMatchObject({ status: 'failed', error: 'training diverged' });
    expect(epochHistory(db, failed.id)).toHaveLength(1);
    expect(() => endRun(db, failed.id, 'cancelled', 'late')).toThrow(IllegalTransitionError);
    expect(getRun(db, failed.id)).toMatchObject({ status: 'failed', error: 'training diverged' });
  });

  it('marks failed the running runs whose process is gone, and only those', () => {
    const db = memoryDb();
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    const orphan = runningRun(db);
    logEpoch(db, orphan.id, epoch(1));
    db.update(runs).set({ pid: deadPid }).run();
    const alive = runningRun(db);

    expect(failDeadRuns(db).map((r) => r.id)).toEqual([orphan.id]);
    expect(getRun(db, orphan.id)).toMatchObject({ status: 'failed', error: expect.stringContaining(`pid ${deadPid}`) });
    expect(epochHistory(db, orphan.id)).toHaveLength(1);
    expect(getRun(db, alive.id).status).toBe('running');
  });

  it('lists newest first, filters by status, and edits tags and notes', () => {
    const db = memoryDb();
    const a = createRun(db, { name: 'a', params: smallRunParams() });
    const b = runningRun(db);
    expect(listRuns(db).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(listRuns(db, { statuses: ['queued'] }).map((r) => r.id)).toEqual([a.id]);
    setTag(db, a.id, 'k', 'v1');
    setTag(db, a.id, 'k', 'v2');
    setNote(db, a.id, 'looks good');
    expect(runTagMap(db, a.id)).toEqual({ k: 'v2' });
    expect(getRun(db, a.id).note).toBe('looks good');
    expect(() => setNote(db, 999, 'x')).toThrow(RunNotFoundError);
  });
});

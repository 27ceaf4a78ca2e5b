import { describe, expect, it } from 'vitest';
import { RUN_STATUSES } from '../../db/schema.ts';
import { requeueRun, runAttemptHistory } from '../../src/store/run-attempts.ts';
import { IllegalTransitionError, isLegalTransition } from '../../src/store/run-lifecycle.ts';
import { storeRecorder } from '../../src/store/run-recorder.ts';
import { claimRun, completeRun, createRun, endRun, epochHistory, getRun, logEpoch } from '../../src/store/store.ts';
import { memoryDb, runningRun, smallRunParams } from '../helpers/db.ts';

const epoch = (n: number) => ({ epoch: n, loss: 1, accuracy: 0.5, valLoss: null, valAccuracy: null, seconds: 1, valConfusion: null });
const outcome = { loss: 0.1, accuracy: 0.5, confusion: [[1]], predicted: Uint8Array.from([1]), probabilities: new Float32Array(10), embeddings: new Float32Array(0), embeddingDimensions: 0, trainSamplesPerSecond: 1 };
const model = { topology: {}, weightSpecs: [], weightData: Buffer.from([0]) };

describe('the run lifecycle', () => {
  it('allows exactly queued -> running -> completed | failed | cancelled, running -> queued, and queued -> failed | cancelled', () => {
    const legal = RUN_STATUSES.flatMap((from) => RUN_STATUSES.filter((to) => isLegalTransition(from, to)).map((to) => `${from}->${to}`));
    expect(legal.sort()).toEqual(
      ['queued->running', 'running->completed', 'running->failed', 'running->cancelled', 'running->queued', 'queued->failed', 'queued->cancelled'].sort(),
    );
  });

  it('claims a queued run once, counting the attempt; a second claim gets nothing', () => {
    const db = memoryDb();
    const run = createRun(db, { name: 'waits', params: smallRunParams() });
    expect(run).toMatchObject({ status: 'queued', attempts: 0 });
    expect(claimRun(db, run.id)).toBe(true);
    expect(getRun(db, run.id)).toMatchObject({ status: 'running', attempts: 1, pid: process.pid });
    expect(claimRun(db, run.id)).toBe(false);
  });

  it('records every attempt of a run trained here, as a worker’s: requeued, then completed', () => {
    const db = memoryDb();
    const run = createRun(db, { name: 'interrupted once', params: smallRunParams() });
    claimRun(db, run.id);
    requeueRun(db, getRun(db, run.id), 'interrupted by SIGTERM');
    claimRun(db, run.id);
    completeRun(db, run.id, outcome, model);
    expect(runAttemptHistory(db, run.id).map(({ attempt, worker, outcome, error }) => ({ attempt, worker, outcome, error }))).toEqual([
      { attempt: 1, worker: null, outcome: 'requeued', error: 'interrupted by SIGTERM' },
      { attempt: 2, worker: null, outcome: 'completed', error: null },
    ]);
  });

  it('refuses to end, complete or claim a run that has ended, naming both statuses', () => {
    const db = memoryDb();
    const run = runningRun(db);
    completeRun(db, run.id, outcome, model);
    expect(() => endRun(db, run.id, 'failed', 'late')).toThrow(/run \d+ is completed: it cannot become failed/);
    expect(() => completeRun(db, run.id, outcome, model)).toThrow(IllegalTransitionError);
    expect(claimRun(db, run.id)).toBe(false);
    expect(getRun(db, run.id)).toMatchObject({ status: 'completed', error: null });
  });

  it('ends a queued run without starting it, and then never requeues it', () => {
    const db = memoryDb();
    const run = createRun(db, { name: 'cancelled early', params: smallRunParams() });
    endRun(db, run.id, 'cancelled', 'cancelled before it started');
    expect(() => requeueRun(db, getRun(db, run.id), 'too late')).toThrow(IllegalTransitionError);
    expect(getRun(db, run.id).status).toBe('cancelled');
  });

  it('requeues a running run from scratch: its epochs go, the reason stays, the next claim is attempt 2', () => {
    const db = memoryDb();
    const run = runningRun(db);
    logEpoch(db, run.id, epoch(1));
    requeueRun(db, getRun(db, run.id), 'interrupted by SIGTERM');
    expect(getRun(db, run.id)).toMatchObject({ status: 'queued', pid: null, host: null, error: 'attempt 1: interrupted by SIGTERM; queued again' });
    expect(epochHistory(db, run.id)).toEqual([]);
    expect(claimRun(db, run.id)).toBe(true);
    expect(getRun(db, run.id).attempts).toBe(2);
  });

  it('records an interrupted run as queued again while retries are left, then as failed with the cause, its epochs kept', async () => {
    const db = memoryDb();
    const run = runningRun(db);
    await storeRecorder(db, run.id, { retries: 1 }).end('interrupted', 'interrupted by SIGTERM');
    expect(getRun(db, run.id).status).toBe('queued');
    claimRun(db, run.id);
    logEpoch(db, run.id, epoch(1));
    await storeRecorder(db, run.id, { retries: 1 }).end('interrupted', 'interrupted by SIGTERM');
    expect(getRun(db, run.id)).toMatchObject({ status: 'failed', error: 'interrupted by SIGTERM' });
    expect(epochHistory(db, run.id)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { sweepResults } from '../../../src/analysis/sweeps/sweep-results.ts';
import { getSweep, launchSweep, listSweeps, SweepNotFoundError, sweepRuns } from '../../../src/analysis/sweeps/sweep-store.ts';
import { claimRun, runTagMap } from '../../../src/store/store.ts';
import { memoryDb, smallRunParams } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';
import { storeOn } from '../../../src/store/open-store.ts';

async function launchLearningRateSweep(db: ReturnType<typeof memoryDb>) {
  const params = [0.001, 0.003].flatMap((learningRate) => [1, 2].map((seed) => smallRunParams({ learningRate, seed })));
  return launchSweep(storeOn(db), {
    name: 'lr',
    axes: { learningRate: [0.001, 0.003] },
    seeds: [1, 2],
    runs: params.map((p) => ({ name: `lr${p.learningRate}-s${p.seed}`, params: p })),
    tags: { purpose: 'test' },
  });
}

describe('sweeps', () => {
  it('queues one run per grid point and seed under one stored sweep', async () => {
    const db = memoryDb();
    const { sweep, runs } = await launchLearningRateSweep(db);
    expect(getSweep(db, sweep.id)).toMatchObject({ name: 'lr', axes: { learningRate: [0.001, 0.003] }, seeds: [1, 2] });
    expect(listSweeps(db).map((s) => s.id)).toEqual([sweep.id]);
    expect(sweepRuns(db, sweep.id).map((r) => [r.id, r.status, r.sweepId])).toEqual(runs.map((r) => [r.id, 'queued', sweep.id]));
    expect(runTagMap(db, runs[0]!.id)).toEqual({ purpose: 'test' });
    expect(() => getSweep(db, 99)).toThrow(SweepNotFoundError);
  });

  it('tables each grid point with mean and sd over the seeds that completed', async () => {
    const db = memoryDb();
    const { sweep, runs } = await launchLearningRateSweep(db);
    const accuracies = [0.8, 0.9, 0.95];
    accuracies.forEach((accuracy, i) => {
      claimRun(db, runs[i]!.id);
      completeWithoutTraining(db, runs[i]!, { accuracy, loss: 1 - accuracy });
    });
    const results = sweepResults(db, sweep.id);
    expect(results.counts).toMatchObject({ completed: 3, queued: 1 });
    expect(results.finished).toBe(false);
    expect(results.points.map((p) => [p.values, p.statuses])).toEqual([
      [{ learningRate: 0.001 }, ['completed', 'completed']],
      [{ learningRate: 0.003 }, ['completed', 'queued']],
    ]);
    expect(results.points[0]!.testAccuracy!.mean).toBeCloseTo(0.85, 12);
    expect(results.points[0]!.testAccuracy!.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(results.points[1]!.testAccuracy).toEqual({ mean: 0.95, sd: 0, n: 1 });
  });
});

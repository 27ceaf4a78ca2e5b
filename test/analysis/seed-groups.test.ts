import { describe, expect, it } from 'vitest';
import { seedGroups } from '../../src/analysis/seed-groups.ts';
import { listRuns } from '../../src/store/store.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';
import { completeWithoutTraining, logLosses } from './fake-runs.ts';

describe('seed groups', () => {
  it('groups completed runs that differ only in seed, with mean, sd and per-epoch bands', () => {
    const db = memoryDb();
    const trained = [
      { seed: 1, learningRate: 0.001, accuracy: 0.9, losses: [0.5, 0.3] },
      { seed: 2, learningRate: 0.001, accuracy: 0.92, losses: [0.7, 0.1] },
      { seed: 3, learningRate: 0.001, accuracy: 0.94, losses: [0.6] },
      { seed: 1, learningRate: 0.003, accuracy: 0.8, losses: [0.4] },
    ];
    for (const { seed, learningRate, accuracy, losses } of trained) {
      const run = runningRun(db, { seed, learningRate });
      logLosses(db, run, losses);
      completeWithoutTraining(db, run, { accuracy, loss: 1 - accuracy });
    }
    runningRun(db, { seed: 4 }); // still running: not part of any group yet

    const groups = seedGroups(db, listRuns(db).reverse());
    expect(groups.map((g) => g.runIds)).toEqual([[1, 2, 3], [4]]);
    const [first, second] = groups;
    expect(first!.params).not.toHaveProperty('seed');
    expect(first!.params).toMatchObject({ learningRate: 0.001 });
    expect(first!.seeds).toEqual([1, 2, 3]);
    // 0.90, 0.92, 0.94: mean 0.92, sample sd 0.02.
    expect(first!.testAccuracy.mean).toBeCloseTo(0.92, 12);
    expect(first!.testAccuracy.sd).toBeCloseTo(0.02, 12);
    // Epoch 1 over all three runs: 0.5, 0.7, 0.6 -> 0.6 +/- 0.1; epoch 2 only has two runs: 0.3, 0.1 -> 0.2 +/- 0.1414.
    expect(first!.epochs.map((e) => [e.epoch, e.loss.n])).toEqual([[1, 3], [2, 2]]);
    expect(first!.epochs[0]!.loss.mean).toBeCloseTo(0.6, 12);
    expect(first!.epochs[0]!.loss.sd).toBeCloseTo(0.1, 12);
    expect(first!.epochs[1]!.valAccuracy!.mean).toBeCloseTo(0.8, 12);
    expect(first!.epochs[1]!.valAccuracy!.sd).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(second!.testAccuracy).toEqual({ mean: 0.8, sd: 0, n: 1 });
  });
});

describe('seed groups and datasets', () => {
  it('never groups runs on two datasets as seeds of one recipe; an old MNIST run and one naming mnist are one recipe', async () => {
    const { memoryDb } = await import('../helpers/db.ts');
    const { recordCompletedRun } = await import('../helpers/recorded-runs.ts');
    const { seedGroups } = await import('../../src/analysis/seed-groups.ts');
    const db = memoryDb();
    const labels = new Uint8Array(50).map((_, i) => i % 10);
    const runs = [
      recordCompletedRun(db, labels, { seed: 1 }),
      recordCompletedRun(db, labels, { seed: 2, dataset: 'mnist' }),
      recordCompletedRun(db, labels, { seed: 3, dataset: 'fashion-mnist' }),
      recordCompletedRun(db, labels, { seed: 4, dataset: 'fashion-mnist' }),
    ];
    const groups = seedGroups(db, runs);
    expect(groups.map((g) => g.seeds)).toEqual([[1, 2], [3, 4]]);
  });
});

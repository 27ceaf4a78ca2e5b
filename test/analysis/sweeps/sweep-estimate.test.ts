import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../db/schema.ts';
import { estimateSweep, measuredThroughputs } from '../../../src/analysis/sweeps/sweep-estimate.ts';
import { memoryDb, runningRun, smallRunParams } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

describe('the training time a sweep would take here', () => {
  it("pools this machine's completed runs of each network, a long run weighing more than a short one", () => {
    const db = memoryDb();
    const measure = (overrides: Parameters<typeof smallRunParams>[0], samplesPerSecond: number, row: Partial<typeof runs.$inferInsert> = {}) => {
      const run = runningRun(db, overrides);
      completeWithoutTraining(db, run);
      db.update(runs).set({ trainSamplesPerSecond: samplesPerSecond, ...row }).where(eq(runs.id, run.id)).run();
    };
    // 4,000 samples in 2 s, 400 in 4 s, 400 in 2 s: 4,800 samples in 8 s.
    measure({ trainLimit: 5000 }, 2000);
    measure({ trainLimit: 500 }, 100);
    measure({ trainLimit: 500 }, 200);
    measure({ trainLimit: 500, model: 'mlp' }, 1000);
    // Neither another machine's run nor an imported one says how fast this machine trains.
    measure({ trainLimit: 500 }, 1, { host: 'elsewhere' });
    measure({ trainLimit: 500 }, 1, { source: 'imported' });
    const throughputs = measuredThroughputs(db);
    expect(Object.fromEntries(throughputs)).toEqual({ reference: { samplesPerSecond: 600, runs: 3 }, mlp: { samplesPerSecond: 1000, runs: 1 } });

    const estimate = estimateSweep(
      [smallRunParams({ trainLimit: 1000, epochs: 3 }), smallRunParams({ model: 'mlp', trainLimit: 1000 }), smallRunParams({ model: 'lenet5' })].map((params) => ({ params })),
      throughputs,
    );
    // 800 images x 3 epochs at 600/s, and 800 x 1 at 1,000/s; lenet5 was never trained here.
    expect(estimate.seconds).toBeCloseTo(4 + 0.8, 10);
    expect(estimate.basis.map((b) => b.model)).toEqual(['reference', 'mlp']);
    expect(estimate.unmeasured).toEqual([{ model: 'lenet5', runs: 1 }]);
  });
});

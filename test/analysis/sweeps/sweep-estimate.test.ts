import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../db/schema.ts';
import { estimateSweep, measuredThroughputs } from '../../../src/analysis/sweeps/sweep-estimate.ts';
import { memoryDb, runningRun, smallRunParams } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

describe('the training time a sweep would take here', () => {
  it("pools this machine's completed runs of each network, a long run weighing more than a short one", () => {
    const db = memoryDb();
    const measure = (overrides: Parameters<typeof smallRunParams>[0], samplesPerSecond: number, wallSeconds: number, row: Partial<typeof runs.$inferInsert> = {}) => {
      const run = runningRun(db, overrides);
      completeWithoutTraining(db, run);
      const startedAt = new Date(1_700_000_000_000);
      db.update(runs)
        .set({ trainSamplesPerSecond: samplesPerSecond, startedAt, finishedAt: new Date(startedAt.getTime() + wallSeconds * 1000), ...row })
        .where(eq(runs.id, run.id))
        .run();
    };
    // 4,000 samples in 2 s, 400 in 4 s, 400 in 2 s: 4,800 samples in 8 s; 5, 9 and 4 s besides.
    measure({ trainLimit: 5000 }, 2000, 7);
    measure({ trainLimit: 500 }, 100, 13);
    measure({ trainLimit: 500 }, 200, 6);
    measure({ trainLimit: 500, model: 'mlp' }, 1000, 3.4);
    // Neither another machine's run nor an imported one says how fast this machine trains.
    measure({ trainLimit: 500 }, 1, 1, { host: 'elsewhere' });
    measure({ trainLimit: 500 }, 1, 1, { source: 'imported' });
    const throughputs = measuredThroughputs(db);
    expect(Object.fromEntries(throughputs)).toEqual({
      reference: { samplesPerSecond: 600, overheadSeconds: 5, runs: 3 },
      mlp: { samplesPerSecond: 1000, overheadSeconds: expect.closeTo(3, 10), runs: 1 },
    });

    const estimate = estimateSweep(
      [smallRunParams({ trainLimit: 1000, epochs: 3 }), smallRunParams({ model: 'mlp', trainLimit: 1000 }), smallRunParams({ model: 'lenet5' })].map((params) => ({ params })),
      throughputs,
    );
    // 800 images x 3 epochs at 600/s and 5 s besides, 800 x 1 at 1,000/s and 3 s besides; lenet5 was never trained here.
    expect(estimate.seconds).toBeCloseTo(4 + 5 + 0.8 + 3, 10);
    expect(estimate.basis.map((b) => b.model)).toEqual(['reference', 'mlp']);
    expect(estimate.unmeasured).toEqual([{ model: 'lenet5', runs: 1 }]);
  });
});

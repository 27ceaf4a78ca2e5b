import { eq } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { runs } from '../../db/schema.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';

describe('compare text against an imported run', () => {
  it('says the imported side was not trained here instead of printing null for its settings', async () => {
    const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-compare-text-')), 'runs.sqlite');
    const db = openDb(dbFile);
    const trained = runningRun(db, { testLimit: 500 });
    const imported = runningRun(db, { testLimit: 500 });
    for (const run of [trained, imported]) completeWithoutTraining(db, run, { images: 500 });
    // As `import` records it: a completed run whose params hold only its test limit.
    db.update(runs).set({ source: 'imported', params: { testLimit: 500 } }).where(eq(runs.id, imported.id)).run();
    db.$client.close();

    const printed = await runCliCaptured(['compare', String(trained.id), String(imported.id), '--db', dbFile]);
    expect(printed.code).toBe(0);
    const diff = printed.stdout.slice(printed.stdout.indexOf('params that differ:'), printed.stdout.indexOf('metric'));
    expect(diff).toContain('  learningRate: 0.001 -> imported: not trained here');
    expect(diff).toContain('  epochs: 1 -> imported: not trained here');
    expect(diff).not.toContain('null');

    const swapped = await runCliCaptured(['compare', String(imported.id), String(trained.id), '--db', dbFile]);
    expect(swapped.stdout).toContain('  batchSize: imported: not trained here -> 64');
  });
});

describe('compare refuses', () => {
  it('a run compared with itself, exit 2', async () => {
    const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-compare-self-')), 'runs.sqlite');
    const db = openDb(dbFile);
    const run = runningRun(db, { testLimit: 500 });
    completeWithoutTraining(db, run, { images: 500 });
    db.$client.close();
    const refused = await runCliCaptured(['compare', String(run.id), String(run.id), '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`run ${run.id} was given as both A and B`);
  });
});

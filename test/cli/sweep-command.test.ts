import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { openDb } from '../../db/client.ts';
import { claimRun, getRun, listRuns } from '../../src/store/store.ts';
import { RunQueue } from '../../src/execution/queue.ts';
import { sweepRoutes } from '../../src/web/compare/sweep-routes.tsx';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { storeOn } from '../../src/store/open-store.ts';

const dbFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-sweep-')), 'runs.sqlite');

describe('digitlab sweep', () => {
  it('queues learning rate x batch size x seeds as one sweep whose table lists every grid point', async () => {
    const db = dbFile();
    const queued = await runCliCaptured(
      ['sweep', '--learning-rate', '0.001,0.003', '--batch-size', '32,64', '--seeds', '3', '--epochs', '2', '--json', '--db', db],
    );
    expect(queued.code).toBe(0);
    expect(queued.lastJson()).toEqual({ sweepId: 1, name: 'batchSize 32,64 x learningRate 0.001,0.003 x 3 seed(s)', runIds: [...Array(12).keys()].map((i) => i + 1) });

    const results = (await runCliCaptured(['sweep-results', '1', '--json', '--db', db])).lastJson();
    expect(results.sweep).toMatchObject({ axes: { batchSize: [32, 64], learningRate: [0.001, 0.003] }, seeds: [1, 2, 3] });
    expect(results.points).toHaveLength(4);
    expect(results.counts.queued).toBe(12);
    const shown = await runCliCaptured(['show', '12', '--json', '--db', db]);
    expect(shown.lastJson().params).toMatchObject({ batchSize: 64, learningRate: 0.003, seed: 3, epochs: 2 });
  });

  it.each([
    [['--learning-rate', '0.001,20'], /--learning-rate must be a number from 1e-7 to 10; got '20'/],
    [['--batch-size', '32,x'], /--batch-size must be a whole number/],
    [['--learning-rate', '0.001,0.002,0.003', '--batch-size', '8,16,32,64,128', '--seeds', '20'], /the grid has 300 runs; at most 200/],
    [['--validation-split', '0.5', '--train-limit', '1,100'], /--validation-split leaves no training images of the 1\n/],
    [['--model', 'reference,resnet'], /--model takes a preset \(reference, mlp, .*; got 'resnet'/],
    [['--workers', '1,2', '--threads', '2'], /--workers is the former name of --threads; give one of them/],
  ])('refuses %j with exit 2 and queues nothing', async (flags, message) => {
    const db = dbFile();
    const refused = await runCliCaptured(['sweep', ...flags, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect((await runCliCaptured(['runs', '--json', '--db', db])).lastJson().runs).toEqual([]);
  });

  it('takes --threads as an axis, and --workers as its former name', async () => {
    for (const flag of ['--threads', '--workers']) {
      const db = dbFile();
      const queued = await runCliCaptured(['sweep', flag, '1,2', '--json', '--db', db]);
      expect(queued.code, flag).toBe(0);
      const results = (await runCliCaptured(['sweep-results', '1', '--json', '--db', db])).lastJson();
      // Recorded under the params key runs have always had, so older sweeps and runs still read.
      expect(results.sweep.axes).toEqual({ workers: [1, 2] });
    }
  });

  it('trains the sweep in child processes with --run-now and prints its table', async () => {
    const trained = await runCliCaptured([
      'sweep', '--learning-rate', '0.001,0.003', '--train-limit', '500', '--test-limit', '200', '--epochs', '1', '--run-now', '--json', '--db', dbFile(),
    ]);
    expect(trained.code).toBe(0);
    const results = trained.lastJson();
    expect(results.finished).toBe(true);
    expect(results.counts.completed).toBe(2);
    expect(results.points.map((p: { testAccuracy: { n: number } }) => p.testAccuracy.n)).toEqual([1, 1]);
  });
});

describe('a sweep with one seed a point', () => {
  it('reads "1 seed, no spread" in the CLI table and on the page, never "± 0"', async () => {
    const file = dbFile();
    expect((await runCliCaptured(['sweep', '--learning-rate', '0.001,0.003', '--seeds', '1', '--db', file])).code).toBe(0);
    const db = openDb(file);
    for (const run of listRuns(db)) completeWithoutTraining(db, run, { accuracy: run.id === 1 ? 0.9 : 0.8 });
    const text = (await runCliCaptured(['sweep-results', '1', '--db', file])).stdout;
    expect(text).toContain('0.9000 (1 seed, no spread)');
    expect(text).not.toMatch(/± 0\.0000/);
    const app = new Hono().route('/', sweepRoutes({ ...storeOn(db), queue: new RunQueue(storeOn(db)) }));
    const html = await (await app.request('/sweeps/1')).text();
    expect(html).toContain('90.00% (1 seed, no spread)');
    expect(html).not.toContain('± 0.00%');
  });
});

describe('digitlab sweep-cancel', () => {
  it("cancels a sweep's queued runs, says which running ones it may not stop (exit 1), and refuses a bad id with exit 2", async () => {
    const file = dbFile();
    expect((await runCliCaptured(['sweep', '--learning-rate', '0.001,0.003,0.01', '--db', file])).code).toBe(0);
    const db = openDb(file);
    // Run 1 trains in another process (this test's own): only that process, or the server that started it, may stop it.
    claimRun(db, 1);
    const cancelled = await runCliCaptured(['sweep-cancel', '1', '--json', '--db', file]);
    expect(cancelled.code).toBe(1);
    expect(cancelled.stdout).toContain('Sweep 1: cancelled 2 runs (2, 3) that had not started.');
    expect(cancelled.stdout).toContain(`Not stopped: run 1 is trained by process ${process.pid}`);
    expect(cancelled.lastJson()).toMatchObject({ sweepId: 1, cancelled: [2, 3], stopping: [], failed: [], refused: [{ runId: 1 }] });
    expect(listRuns(db).map((run) => [run.id, run.status])).toEqual([[3, 'cancelled'], [2, 'cancelled'], [1, 'running']]);

    completeWithoutTraining(db, getRun(db, 1));
    const again = await runCliCaptured(['sweep-cancel', '1', '--db', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Sweep 1 had no queued or running runs left to cancel.');
    expect((await runCliCaptured(['sweep-cancel', '7', '--db', file])).stderr).toMatch(/no sweep with id 7/);
    const bad = await runCliCaptured(['sweep-cancel', 'x', '--db', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/SWEEP must be a sweep id/);
  });
});

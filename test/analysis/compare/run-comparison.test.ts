import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../db/client.ts';
import { compareRuns, ComparisonRefusedError, pairRuns } from '../../../src/analysis/compare/run-comparison.ts';
import { executeRun } from '../../../src/training/experiment.ts';
import { createRun, testConfusion } from '../../../src/store/store.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { memoryDb, runningRun, smallRunParams } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';
import { storeOn } from '../../../src/store/open-store.ts';

describe('the test labels a comparison is scored against', () => {
  it("are the caller's when it holds them (a server keeps them in memory), cut to the runs' test limit", () => {
    const db = memoryDb();
    const [a, b] = [runningRun(db, { testLimit: 500 }), runningRun(db, { testLimit: 500 })];
    for (const run of [a, b]) completeWithoutTraining(db, run, { images: 500 }); // every prediction is class 0
    const labels = new Uint8Array(1000).fill(1, 300); // 300 zeros, then ones
    const classNames = ['nought', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const asked: string[] = [];
    const testLabels = (dataset: string) => (asked.push(dataset), { labels, classNames });
    const paired = pairRuns(db, a.id, b.id, { testLabels });
    expect(asked).toEqual(['mnist']);
    expect(paired.classNames).toEqual(classNames);
    expect(paired.predictions.labels).toEqual(labels.subarray(0, 500));
    expect(compareRuns(db, a.id, b.id, { testLabels }).a.testAccuracy).toBe(300 / 500);
  });
});

describe('refusing comparisons that would mislead', () => {
  it('refuses runs tested on different numbers of test images, naming both', () => {
    const db = memoryDb();
    const a = runningRun(db, { testLimit: 500 });
    const b = runningRun(db, { testLimit: 1000 });
    completeWithoutTraining(db, a, { images: 500 });
    completeWithoutTraining(db, b, { images: 1000 });
    expect(() => compareRuns(db, a.id, b.id)).toThrow(ComparisonRefusedError);
    expect(() => compareRuns(db, a.id, b.id)).toThrow(
      /different test sets \(the first 500 test images against the first 1000 test images\).*same --test-limit/,
    );
  });

  it('refuses a run that has not completed', () => {
    const db = memoryDb();
    const a = runningRun(db);
    completeWithoutTraining(db, a, { images: 500 });
    const queued = createRun(db, { name: 'later', params: smallRunParams() });
    expect(() => compareRuns(db, a.id, queued.id)).toThrow(`run ${queued.id} is queued, not completed`);
  });
});

describe('runs trained on different labels', () => {
  it('show it in the params diff: corrected labels and left-out ambiguous images against the originals', () => {
    const db = memoryDb();
    const original = runningRun(db);
    const corrected = runningRun(db, { labels: 'corrected', exclude: 'ambiguous' });
    for (const run of [original, corrected]) completeWithoutTraining(db, run, { images: 500 });
    expect(compareRuns(db, original.id, corrected.id).paramsDiff).toEqual({ labels: { a: null, b: 'corrected' }, exclude: { a: null, b: 'ambiguous' } });
  });
});

describe('comparing two real runs', () => {
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-compare-')), 'runs.sqlite');
  let db: Db;
  let ids: [number, number];

  beforeAll(async () => {
    db = openDb(dbFile);
    const trained = [];
    for (const seed of [3, 4]) {
      const run = runningRun(db, { seed });
      trained.push(await executeRun(storeOn(db), run.id, { backend: 'wasm' }));
    }
    expect(trained.map((run) => run.status)).toEqual(['completed', 'completed']);
    ids = [trained[0]!.id, trained[1]!.id];
  });

  it('has fixed minus broken equal to the accuracy difference times the number of test images', () => {
    const comparison = compareRuns(db, ...ids);
    expect(comparison.images).toBe(500);
    expect(comparison.fixed.length + comparison.broken.length).toBeGreaterThan(0);
    const [a, b] = [comparison.metrics[0]!.a!, comparison.metrics[0]!.b!];
    expect(comparison.fixed.length - comparison.broken.length).toBe(Math.round((b - a) * comparison.images));
    expect(comparison.accuracyDelta).toBeCloseTo(b - a, 10);
    expect(comparison.paramsDiff).toEqual({ seed: { a: 3, b: 4 } });
  });

  it('has a confusion difference equal to the stored test confusions subtracted', () => {
    const comparison = compareRuns(db, ...ids);
    const [a, b] = ids.map((id) => testConfusion(db, id)!);
    expect(comparison.confusionDifference).toEqual(b!.map((row, t) => row.map((count, p) => count - a![t]![p]!)));
  });

  it('prints the same figures with compare --json, and refuses with exit 2 and the reason', async () => {
    const comparison = compareRuns(db, ...ids);
    const printed = await runCliCaptured(['compare', String(ids[0]), String(ids[1]), '--json', '--db', dbFile]);
    expect(printed.code).toBe(0);
    expect(printed.lastJson()).toMatchObject({
      a: comparison.a,
      b: comparison.b,
      paramsDiff: comparison.paramsDiff,
      accuracyDelta: comparison.accuracyDelta,
      mcnemarP: comparison.mcnemarP,
      fixed: comparison.fixed,
      broken: comparison.broken,
    });
    const text = await runCliCaptured(['compare', String(ids[0]), String(ids[1]), '--db', dbFile]);
    expect(text.stdout).toContain(comparison.verdict);

    const queued = createRun(db, { name: 'later', params: smallRunParams() });
    const refused = await runCliCaptured(['compare', String(ids[0]), String(queued.id), '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is queued, not completed/);
  });
});

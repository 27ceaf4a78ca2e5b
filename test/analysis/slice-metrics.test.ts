import { describe, expect, it } from 'vitest';
import { runSliceMetrics } from '../../db/schema.ts';
import { sevenSliceMetrics } from '../../src/analysis/slice-metrics.ts';
import { partitionSevens } from '../../src/analysis/slices.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from './fake-runs.ts';

const IMAGES = 500;
const test = loadMnist('test', { limit: IMAGES });
const { crossed, plain } = partitionSevens(test);

/** Right everywhere except: the first 4 crossed sevens read as 2 (3) or 9 (1), one plain seven as 1. */
function madeUpPredictions(): Uint8Array {
  const predicted = Uint8Array.from(test.labels);
  crossed.slice(0, 3).forEach((index) => (predicted[index] = 2));
  predicted[crossed[3]!] = 9;
  predicted[plain[0]!] = 1;
  return predicted;
}

describe('sevenSliceMetrics', () => {
  it('counts errors per slice with Wilson intervals and what each slice is mistaken for', () => {
    const db = memoryDb();
    const run = runningRun(db);
    completeWithoutTraining(db, run, { predicted: madeUpPredictions() });
    const report = sevenSliceMetrics(db, run.id, test)!;
    expect(crossed.length).toBeGreaterThan(5);
    expect(report.crossed).toMatchObject({ slice: 'crossed-seven', count: crossed.length, errors: 4 });
    expect(report.crossed.mistakenFor).toEqual([{ label: 2, count: 3 }, { label: 9, count: 1 }]);
    expect(report.plain).toMatchObject({ count: plain.length, errors: 1, mistakenFor: [{ label: 1, count: 1 }] });
    expect(report.crossed.interval.low).toBeLessThan(4 / crossed.length);
    expect(report.crossed.interval.high).toBeGreaterThan(4 / crossed.length);
    expect(report.pCrossedWorse).toBeLessThan(0.05);
  });

  it('stores the counts once and reads them back unchanged', () => {
    const db = memoryDb();
    const run = runningRun(db);
    completeWithoutTraining(db, run, { predicted: madeUpPredictions() });
    const first = sevenSliceMetrics(db, run.id, test);
    expect(db.select().from(runSliceMetrics).all()).toHaveLength(2);
    // A later read must come from the table: an empty test split would find no sevens at all.
    const again = sevenSliceMetrics(db, run.id, { ...test, count: 0 });
    expect(again).toEqual(first);
  });

  it('has nothing for a run without predictions', () => {
    const db = memoryDb();
    expect(sevenSliceMetrics(db, runningRun(db).id, test)).toBeNull();
  });
});

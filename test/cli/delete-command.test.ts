import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { loadTestPredictions, listRuns } from '../../src/store/store.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { runningRun } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

const labels = loadMnist('test', { limit: 500 }).labels;

function storeWithRuns() {
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-delete-')), 'runs.sqlite');
  const db = openDb(dbFile);
  const kept = recordCompletedRun(db, labels, { name: 'kept', seed: 1 });
  const gone = recordCompletedRun(db, labels, { name: 'gone', seed: 2 });
  const busy = runningRun(db);
  return { db, dbFile, kept, gone, busy };
}

describe('digitlab delete', () => {
  it('removes a run with everything recorded about it, says how many bytes that freed, and leaves the others', async () => {
    const { db, dbFile, kept, gone } = storeWithRuns();
    const result = await runCliCaptured(['delete', String(gone.id), '--json', '--db', dbFile]);
    expect(result.code).toBe(0);
    const { deleted, bytesFreed } = result.lastJson();
    expect(deleted).toEqual([{ runId: gone.id, name: 'gone', bytes: bytesFreed }]);
    // At least its 500 predictions with 10 float32 probabilities each went with it.
    expect(bytesFreed).toBeGreaterThan(500 * 10 * 4);
    expect(result.stdout).toMatch(new RegExp(`deleted run ${gone.id} \\(gone\\): \\d+(\\.\\d)? kB`));
    expect(listRuns(db).map((r) => r.id)).not.toContain(gone.id);
    expect(loadTestPredictions(db, gone.id)).toBeNull();
    expect(loadTestPredictions(db, kept.id)).not.toBeNull();
    const listed = (await runCliCaptured(['runs', '--json', '--db', dbFile])).lastJson();
    expect(listed.runs.map((r: { id?: number; runId?: number }) => r.id ?? r.runId)).not.toContain(gone.id);
  });

  it('never deletes a running run, and then deletes none of those named', async () => {
    const { db, dbFile, kept, busy } = storeWithRuns();
    const result = await runCliCaptured(['delete', String(kept.id), String(busy.id), '--db', dbFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`run ${busy.id} is running; cancel it first; nothing was deleted`);
    expect(listRuns(db).map((r) => r.id)).toEqual(expect.arrayContaining([kept.id, busy.id]));
  });

  it.each([
    [[], /delete takes RUN\.\.\.; got 0 argument/],
    [['abc'], /RUN must be a run id/],
    [['999'], /no run with id 999/],
  ])('exits 2 on %j', async (argv, message) => {
    const { dbFile } = storeWithRuns();
    const result = await runCliCaptured(['delete', ...argv, '--db', dbFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

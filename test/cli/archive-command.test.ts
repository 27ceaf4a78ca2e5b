import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { getRun } from '../../src/store/store.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { runningRun } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

const labels = loadMnist('test', { limit: 200 }).labels;

function store() {
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-archive-')), 'runs.sqlite');
  const db = openDb(dbFile);
  const low = recordCompletedRun(db, labels, { name: 'low-lr', seed: 1, params: { learningRate: 0.0001 } });
  const high = recordCompletedRun(db, labels, { name: 'high-lr', seed: 2, params: { learningRate: 0.01 } });
  const busy = runningRun(db);
  return { db, dbFile, low, high, busy };
}

const listed = async (dbFile: string, ...args: string[]) =>
  (await runCliCaptured(['runs', '--json', '--db', dbFile, ...args])).lastJson().runs.map((run: { id: number }) => run.id);

describe('digitlab runs --where and digitlab archive', () => {
  it('lists the runs the expression keeps, sorted by any field, and refuses a bad term with exit 2', async () => {
    const { dbFile, low, high, busy } = store();
    expect(await listed(dbFile, '--where', 'lr>=0.001 status=completed')).toEqual([high.id]);
    expect(await listed(dbFile, '--sort', 'lr', '--asc')).toEqual([low.id, busy.id, high.id]);
    const bad = await runCliCaptured(['runs', '--where', 'lr>=0.001 speed>3', '--db', dbFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--where: 'speed' in 'speed>3' is not a name runs are recorded with; allowed: metrics id, name/);
  });

  it('archives and unarchives runs; runs hides archived ones unless --archived; a running run is refused', async () => {
    const { db, dbFile, low, high, busy } = store();
    const archived = await runCliCaptured(['archive', String(low.id), '--json', '--db', dbFile]);
    expect(archived.code).toBe(0);
    expect(archived.lastJson().runs).toEqual([{ runId: low.id, name: 'low-lr', changed: true, archivedAt: expect.any(String) }]);
    expect(await listed(dbFile)).toEqual([busy.id, high.id]);
    expect(await listed(dbFile, '--archived')).toEqual([busy.id, high.id, low.id]);
    const refused = await runCliCaptured(['archive', String(high.id), String(busy.id), '--db', dbFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`run ${busy.id} is running; archive it once it has ended; nothing was archived`);
    expect(getRun(db, high.id).archivedAt).toBeNull();
    const undone = await runCliCaptured(['archive', String(low.id), '--undo', '--json', '--db', dbFile]);
    expect(undone.lastJson().runs[0]).toMatchObject({ runId: low.id, changed: true, archivedAt: null });
    expect(await listed(dbFile)).toEqual([busy.id, high.id, low.id]);
  });
});

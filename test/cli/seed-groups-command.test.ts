import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';

describe('digitlab seed-groups', () => {
  it('lists groups of two or more completed runs with mean ± sd, and says how to make one when there is none', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-seeds-')), 'runs.sqlite');
    const db = openDb(file);
    const none = await runCliCaptured(['seed-groups', '--db', file]);
    expect(none.stdout).toMatch(/no two completed runs differ only in seed/);

    for (const [seed, learningRate, accuracy] of [[1, 0.001, 0.8], [2, 0.001, 0.9], [1, 0.003, 0.7]] as const) {
      completeWithoutTraining(db, runningRun(db, { seed, learningRate }), { accuracy });
    }
    db.$client.close();
    const text = await runCliCaptured(['seed-groups', '--db', file]);
    expect(text.stdout).toContain('runs 1, 2 (seeds 1, 2)');
    expect(text.stdout).toContain('test accuracy 0.8500 ± 0.0707');
    const json = (await runCliCaptured(['seed-groups', '--json', '--db', file])).lastJson();
    expect(json.groups).toHaveLength(1);
    expect(json.groups[0]).toMatchObject({ runIds: [1, 2], seeds: [1, 2], params: { learningRate: 0.001 } });
  });
});

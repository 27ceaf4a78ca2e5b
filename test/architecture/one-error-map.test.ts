import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { ERROR_KINDS } from '../../src/core/errors.ts';
import { createRun } from '../../src/store/store.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { smallRunParams } from '../helpers/db.ts';
import { postForm, webApp } from '../helpers/web.ts';

// The cases where the CLI and the web used to disagree, because each translated errors itself:
// both front ends now answer the same failure from the one table in src/core/errors.ts.

/** A CLI store and a web store, each holding one running run (id 1). */
function stores() {
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-errors-')), 'runs.sqlite');
  const cliDb = openDb(dbFile);
  const web = webApp();
  for (const db of [cliDb, web.db]) createRun(db, { name: 'busy', params: smallRunParams(), status: 'running' });
  cliDb.$client.close();
  return { dbFile, app: web.app };
}

describe('the CLI and the web answer the same failure alike', () => {
  it('an unknown run: 404 on the web, exit 2 in the CLI, with the same words', async () => {
    const { dbFile, app } = stores();
    const cli = await runCliCaptured(['show', '999', '--db', dbFile]);
    const api = await app.request('/api/runs/999');
    expect([api.status, cli.code]).toEqual([404, 2]);
    expect(ERROR_KINDS['not-found']).toEqual({ status: 404, exitCode: 2 });
    expect(await api.json()).toEqual({ error: 'no run with id 999' });
    expect(cli.stderr).toContain('no run with id 999');
    const page = await app.request('/runs/999');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('no run with id 999');
  });

  it('a running run refused archiving and deleting: 409 on the web and exit 1 in the CLI, both ways alike', async () => {
    const { dbFile, app } = stores();
    const answers = [];
    for (const action of ['archive', 'delete']) {
      const web = await postForm(app, `/runs/1/${action}`, {});
      const cli = await runCliCaptured([action, '1', '--db', dbFile]);
      expect(await web.text()).toContain('run 1 is running');
      expect(cli.stderr).toContain('run 1 is running');
      answers.push([web.status, cli.code]);
    }
    expect(answers).toEqual([
      [409, 1],
      [409, 1],
    ]);
    expect(ERROR_KINDS.conflict).toEqual({ status: 409, exitCode: 1 });
  });
});

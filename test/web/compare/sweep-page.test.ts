import { Hono } from 'hono';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { sweepResults } from '../../../src/analysis/sweeps/sweep-results.ts';
import { RunQueue } from '../../../src/execution/queue.ts';
import { sweepRoutes } from '../../../src/web/compare/sweep-routes.tsx';
import { handleError, handleNotFound } from '../../../src/web/errors.tsx';
import { storeOn } from '../../../src/store/open-store.ts';

const db = openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-sweep-page-')), 'runs.sqlite'));
// At the low priority: under SCHED_IDLE the six runs would wait for the suite's other files.
const queue = new RunQueue({ ...storeOn(db), maxConcurrent: 1, pollMs: 500, runPriority: 'low' });
afterAll(() => queue.stop());

function app(): Hono {
  const app = new Hono();
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.route('/', sweepRoutes({ ...storeOn(db), queue }));
  return app;
}

const submit = (fields: Record<string, string>) => app().request('/sweeps', { method: 'POST', body: new URLSearchParams(fields) });

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not done after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the sweep pages', () => {
  it('refuses a bad form with 422, keeping what was typed and saying why', async () => {
    const response = await submit({ 'learning-rate': '0.001,twenty', seeds: '2' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toMatch(/<span class="field-error" id="learning-rate-error">must be a number from 1e-7 to 10; got (&#39;|')twenty/);
    expect(html).toContain('value="0.001,twenty"');
  });

  it('launches a sweep of 6 small runs from the form, trains them through the queue, and shows the table and plot', async () => {
    const response = await submit({
      'learning-rate': '0.001,0.003,0.01',
      seeds: '2',
      epochs: '1',
      'train-limit': '500',
      'test-limit': '200',
      name: 'from the UI',
    });
    expect(response.status).toBe(303);
    const location = response.headers.get('Location')!;
    expect(location).toMatch(/^\/sweeps\/\d+$/);
    const sweepId = Number(location.split('/').at(-1));

    const queued = await (await app().request(location)).text();
    expect(queued).toContain('6 queued');
    expect(queued).toContain(`hx-get="/sweeps/${sweepId}/results"`);

    queue.start();
    await until(() => sweepResults(db, sweepId).finished, 110_000);
    expect(sweepResults(db, sweepId).counts.completed).toBe(6);

    const html = await (await app().request(location)).text();
    expect(html).toContain('Sweep 1: from the UI');
    expect(html).toContain('data-finished="true"');
    expect(html).not.toContain('hx-trigger="every 2s"');
    const rows = [...html.matchAll(/<tr><td class="num">(0\.001|0\.003|0\.01)<\/td><td class="num">(\d+\.\d\d%) ± (\d+\.\d\d%)<\/td>/g)];
    expect(rows.map((row) => row[1])).toEqual(['0.001', '0.003', '0.01']);
    expect(html).toMatch(/<svg[^>]*aria-label="test accuracy against learningRate"/);
    expect(html.match(/<circle/g)).toHaveLength(3);
    expect(html).toContain('compare seeds');

    const list = await (await app().request('/sweeps')).text();
    expect(list).toContain(`<a href="/sweeps/${sweepId}">sweep ${sweepId}: from the UI</a>`);
  });

  it('answers an unknown sweep with a readable 404', async () => {
    const response = await app().request('/sweeps/999');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('no sweep with id 999');
  });
});

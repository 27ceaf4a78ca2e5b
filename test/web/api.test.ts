import { describe, expect, it } from 'vitest';
import { runSummary } from '../../src/experiments/run-summary.ts';
import { createRun, getRun } from '../../src/experiments/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

describe('the JSON API', () => {
  it('answers /healthz', async () => {
    const res = await webApp().app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lists runs as `runs --json` does, filtered by status', async () => {
    const { app, db, images } = webApp();
    const done = recordCompletedRun(db, images.labels.subarray(0, 200));
    const waiting = createRun(db, { name: 'waiting', params: smallRunParams() });
    const all = await (await app.request('/api/runs')).json();
    expect(all.runs.map((r: { id: number }) => r.id)).toEqual([waiting.id, done.id]);
    expect(all.runs[1]).toMatchObject({ id: done.id, status: 'completed', testAccuracy: done.testAccuracy });
    const queued = await (await app.request('/api/runs?status=queued')).json();
    expect(queued.runs).toHaveLength(1);
  });

  it('gives a run exactly as `train --json` prints it', async () => {
    const { app, db, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 200), { tags: { k: 'v' } });
    const res = await app.request(`/api/runs/${run.id}`);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(runSummary(db, getRun(db, run.id)))));
  });

  it.each([
    ['/api/runs/999', 404, /no run with id 999/],
    ['/api/runs/abc', 404, /nothing at \/api\/runs\/abc/],
    ['/api/nothing', 404, /nothing at/],
    ['/api/runs?status=bogus', 400, /status must be one of queued, running/],
  ])('answers %s with JSON %i', async (path, status, message) => {
    const res = await webApp().app.request(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await res.json()).error).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { runSummary } from '../../src/training/run-summary.ts';
import { parseCsv, parseNpy } from '../../src/models/imported/prediction-file.ts';
import { createRun, getRun, loadTestPredictions } from '../../src/store/store.ts';
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

  it('serves a run\'s test predictions as JSON, CSV and .npy that import reads back', async () => {
    const { app, db, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 200));
    const stored = loadTestPredictions(db, run.id)!;
    const json = await (await app.request(`/api/runs/${run.id}/predictions`)).json();
    expect(json).toMatchObject({ runId: run.id, count: 200 });
    expect(json.predictions[7]).toEqual({ index: 7, label: images.labels[7], predicted: stored.predicted[7], probabilities: Array.from(stored.probabilities.subarray(70, 80)) });

    const csv = await app.request(`/api/runs/${run.id}/predictions?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="run-${run.id}-predictions.csv"`);
    const table = parseCsv(await csv.text());
    expect(Array.from(table.labels!)).toEqual(Array.from(images.labels.subarray(0, 200)));
    expect(table.values).toEqual(stored.probabilities);

    const npy = await app.request(`/api/runs/${run.id}/predictions?format=npy`);
    expect(npy.headers.get('content-type')).toBe('application/octet-stream');
    expect(parseNpy(Buffer.from(await npy.arrayBuffer())).values).toEqual(stored.probabilities);
  });

  it.each([
    ['/api/runs/1/predictions?format=xlsx', 400, /format must be one of json, npy, csv/],
    ['/api/runs/1/predictions?format=npy', 404, /run 1 is queued and has no test predictions/],
    ['/api/runs/999/predictions', 404, /no run with id 999/],
    ['/api/runs/999', 404, /no run with id 999/],
    ['/api/runs/abc', 404, /nothing at \/api\/runs\/abc/],
    ['/api/nothing', 404, /nothing at/],
    ['/api/runs?status=bogus', 400, /status must be one of queued, running/],
  ])('answers %s with JSON %i', async (path, status, message) => {
    const { app, db } = webApp();
    createRun(db, { name: 'waiting', params: smallRunParams() });
    const res = await app.request(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await res.json()).error).toMatch(message);
  });
});

import { describe, expect, it } from 'vitest';
import { groupBySeed, recipeKey } from '../../../src/analysis/seed-groups.ts';
import { ModelJobs } from '../../../src/analysis/model-jobs/model-jobs.ts';
import { RunQueue } from '../../../src/execution/queue.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { epochHistory, getRun, listRuns, loadTestPredictions, testConfusion } from '../../../src/store/store.ts';
import { epochScalarHistory } from '../../../src/store/tracked-runs.ts';
import { settleLost } from '../../../src/execution/executor.ts';
import { CANCELLED_TRACKED, TrackedScripts } from '../../../src/execution/tracking/tracked-scripts.ts';
import { createToken } from '../../../src/store/worker-tokens.ts';
import { createApp } from '../../../src/web/app.tsx';
import { newAccessToken } from '../../../src/web/request-guard.ts';
import { memoryDb } from '../../helpers/db.ts';
import { webApp } from '../../helpers/web.ts';
import { storeOn } from '../../../src/store/open-store.ts';

const test = loadMnist('test', { limit: 200 });

/** Probabilities that put `confidence` on each image's true class (or on class 0 where `wrong` says). */
function probabilities(count: number, wrong = (_i: number) => false, confidence = 0.91): number[][] {
  return Array.from({ length: count }, (_, i) => {
    const row = Array<number>(10).fill((1 - confidence) / 9);
    row[wrong(i) ? (test.labels[i]! + 1) % 10 : test.labels[i]!] = confidence;
    return row;
  });
}

function client(app: ReturnType<typeof webApp>['app'], bearer?: string) {
  const headers = (type = 'application/json') => ({ 'Content-Type': type, ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) });
  const send = (method: string, path: string, body: unknown) => app.request(path, { method, headers: headers(), body: JSON.stringify(body) });
  return {
    create: (body: Record<string, unknown> = {}) => send('POST', '/api/tracking/runs', { name: 'script', params: { lr: 0.001, seed: 3 }, ...body }),
    epoch: (id: number, body: Record<string, unknown>) => send('POST', `/api/tracking/runs/${id}/epochs`, body),
    heartbeat: (id: number, body: Record<string, unknown>) => send('POST', `/api/tracking/runs/${id}/heartbeat`, body),
    predictions: (id: number, rows: unknown) => send('PUT', `/api/tracking/runs/${id}/predictions`, { probabilities: rows }),
    end: (id: number, body: Record<string, unknown>) => send('POST', `/api/tracking/runs/${id}/end`, body),
  };
}

async function created(response: Response): Promise<number> {
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

describe('the tracking API', () => {
  it('records a script’s run: params, epochs with extra scalars, live progress, predictions scored against the test labels', async () => {
    const { app, db } = webApp();
    const api = client(app);
    const id = await created(await api.create({ framework: 'pytorch', tags: { purpose: 'test' } }));
    expect(getRun(db, id)).toMatchObject({ status: 'running', source: 'tracked', seed: 3, backend: 'pytorch', params: { lr: 0.001, seed: 3 } });

    expect((await api.heartbeat(id, { progress: { batch: 5, batches: 10, epoch: 1, loss: 0.8 } })).status).toBe(200);
    expect((getRun(db, id).progress as { curve: unknown[]; batch: number }).batch).toBe(5);

    expect((await api.epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75, seconds: 3, metrics: { lr: 0.001, grad_norm: 2.5 } })).status).toBe(200);
    expect(epochHistory(db, id)).toMatchObject([{ epoch: 1, loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75, seconds: 3 }]);
    expect(Object.fromEntries(epochScalarHistory(db, id))).toEqual({ grad_norm: [{ epoch: 1, value: 2.5 }], lr: [{ epoch: 1, value: 0.001 }] });

    // 200 images, every tenth wrong: accuracy 0.9, and the loss is the mean of -log p(true class).
    const wrong = (i: number) => i % 10 === 0;
    expect((await api.predictions(id, probabilities(200, wrong))).status).toBe(200);
    expect(getRun(db, id).status).toBe('running');
    const ended = await api.end(id, { status: 'completed' });
    expect(await ended.json()).toMatchObject({ status: 'completed', testAccuracy: 0.9 });
    const run = getRun(db, id);
    expect(run.testLoss).toBeCloseTo(-(0.9 * Math.log(0.91) + 0.1 * Math.log(0.01)), 5);
    expect(testConfusion(db, id)!.flat().reduce((a, b) => a + b, 0)).toBe(200);
    expect(loadTestPredictions(db, id)!.predicted.length).toBe(200);
    expect(run.datasetHashes).toMatchObject({ testImages: test.imagesSha256, testLabels: test.labelsSha256 });
  });

  it('takes two runs of one script whose params differ only in the seed for seeds of one recipe, apart from digitlab’s own', async () => {
    const { app, db } = webApp();
    const api = client(app);
    const ids = [await created(await api.create({ params: { lr: 0.001, seed: 1 } })), await created(await api.create({ params: { lr: 0.001, seed: 2 } })), await created(await api.create({ params: { lr: 0.01, seed: 1 } }))];
    const runs = ids.map((id) => getRun(db, id));
    expect(recipeKey(runs[0]!)).toBe(recipeKey(runs[1]!));
    expect(recipeKey(runs[0]!)).not.toBe(recipeKey(runs[2]!));
    expect(groupBySeed(runs).map((group) => group.map((run) => run.seed))).toEqual([[1, 2], [1]]);
    expect(recipeKey(runs[0]!)).not.toBe(recipeKey({ ...runs[0]!, source: 'local' }));
  });

  it('refuses bad reports with a 4xx that says why, and stores nothing of them', async () => {
    const { app, db } = webApp();
    const api = client(app);
    expect((await api.create({ params: { lr: [1, 2] } })).status).toBe(422);
    const proto = await app.request('/api/tracking/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"__proto__": {"epochs": 1}}' });
    expect(proto.status).toBe(422);
    expect((await api.create({ name: 'a\u0000b' })).status).toBe(422);
    expect(listRuns(db)).toHaveLength(0);
    const id = await created(await api.create());

    const cases: [string, unknown][] = [
      ['nine columns', [Array(9).fill(0.1)]],
      ['a NaN', [[NaN, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]]],
      ['a negative', [[-0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]]],
      ['rows that are not probabilities', [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]],
      ['more rows than test images', probabilities(1).concat(Array(10_000).fill(probabilities(1)[0]))],
      ['no rows', []],
    ];
    for (const [, rows] of cases) {
      const response = await api.predictions(id, rows);
      expect(response.status).toBe(422);
      expect((await response.json()).error).toMatch(/probabilit/);
    }
    expect(loadTestPredictions(db, id)).toBeNull();

    const noLoss = await api.epoch(id, { epoch: 1, accuracy: 0.5 });
    expect(noLoss.status).toBe(422);
    expect((await noLoss.json()).error).toMatch(/loss is required/);
    const badEpoch = await api.epoch(id, { epoch: 0, loss: -1, accuracy: 2 });
    expect(badEpoch.status).toBe(422);
    expect((await badEpoch.json()).error).toMatch(/epoch .*loss .*accuracy/);
    expect((await api.epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8, metrics: { bad: 'x' } })).status).toBe(422);
    expect(epochHistory(db, id)).toHaveLength(0);

    // A loop that computes no training accuracy logs the loss alone; the accuracy stays unknown, not 0.
    expect((await api.epoch(id, { epoch: 1, loss: 0.5 })).status).toBe(200);
    expect(epochHistory(db, id)[0]).toMatchObject({ loss: 0.5, accuracy: null });
    expect((await api.epoch(id, { epoch: 1, loss: 0.4, accuracy: 0.9 })).status).toBe(409);
    expect((await api.end(id, { status: 'done' })).status).toBe(422);
    expect((await api.end(id, { status: 'failed', error: 'CUDA out of memory' })).status).toBe(200);
    expect(getRun(db, id)).toMatchObject({ status: 'failed', error: 'CUDA out of memory' });
    const late = await api.epoch(id, { epoch: 2, loss: 0.4, accuracy: 0.9 });
    expect(late.status).toBe(409);
    expect((await late.json()).error).toMatch(/failed/);
    expect(epochHistory(db, id)).toHaveLength(1);

    expect((await api.epoch(999, { epoch: 1, loss: 0.5, accuracy: 0.8 })).status).toBe(404);
  });

  it('refuses a body of a gigabyte before reading it', async () => {
    const { app } = webApp();
    const id = await created(await client(app).create());
    const response = await app.request(`/api/tracking/runs/${id}/predictions`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(1024 ** 3) },
      body: '{}',
    });
    expect(response.status).toBe(413);
  });

  it('lets only the token that created a run write it, and never a run digitlab trains', async () => {
    const { app, db, queue } = webApp();
    const { token: mine } = createToken(db, 'laptop');
    const { token: theirs } = createToken(db, 'desktop');
    const id = await created(await client(app, mine).create());
    const foreign = await client(app, theirs).epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8 });
    expect(foreign.status).toBe(403);
    expect((await client(app).end(id, { status: 'failed' })).status).toBe(403);
    expect((await client(app, 'dlw_forged').end(id, { status: 'failed' })).status).toBe(401);
    expect(getRun(db, id).status).toBe('running');
    expect((await client(app, mine).epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8 })).status).toBe(200);

    const queued = await queue.enqueue({ name: 'digitlab run', params: getRun(db, id).params as never, tags: {} });
    expect((await client(app).end(queued.id, { status: 'failed' })).status).toBe(409);
    expect(getRun(db, queued.id).status).toBe('queued');
  });

  it('is cancelled at once from its page, and its script learns it when its next report is refused', async () => {
    const { app, db, queue } = webApp();
    const api = client(app);
    const id = await created(await api.create());
    expect(await queue.cancel(id)).toMatchObject({ status: 'cancelled', error: CANCELLED_TRACKED });
    const refused = await api.epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8 });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error).toMatch(/cancelled/);
  });

  it('needs a worker token when the server was started with --allow-remote, and not the browser’s token', async () => {
    const db = memoryDb();
    const app = createApp({ ...storeOn(db), queue: new RunQueue(storeOn(db)), jobs: new ModelJobs(db), accessTokenHash: newAccessToken().hash });
    const refused = await client(app).create();
    expect(refused.status).toBe(401);
    expect((await refused.json()).error).toMatch(/token create/);
    const { token } = createToken(db, 'laptop');
    expect((await client(app, token).create()).status).toBe(201);
  });

  it('refuses a cross-site request, as every write', async () => {
    const { app, db } = webApp();
    const response = await app.request('/api/tracking/runs', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' }, body: '{}' });
    expect(response.status).toBe(403);
    expect(listRuns(db)).toHaveLength(0);
  });

  it('fails a run whose script stops renewing its lease, keeping its epochs, and never requeues it', async () => {
    const { app, db, runs } = webApp();
    const api = client(app);
    const id = await created(await api.create({ leaseSeconds: 2 }));
    await api.epoch(id, { epoch: 1, loss: 0.5, accuracy: 0.8 });
    const scripts = new TrackedScripts(db, runs);
    expect(scripts.lost()).toHaveLength(0);
    const lost = scripts.lost(new Date(Date.now() + 2500));
    expect(lost.map(({ run }) => run.id)).toEqual([id]);
    // Retries are for runs digitlab can train again; the reaper gives tracked runs none.
    await settleLost(runs, lost, 0, () => {});
    expect(getRun(db, id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped reporting: its lease expired/) });
    expect(epochHistory(db, id)).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { runSummary } from '../../src/training/run-summary.ts';
import { getRun, listRuns, runTagMap } from '../../src/store/store.ts';
import { parseLaunchForm } from '../../src/web/launch.ts';
import { postForm, webApp } from '../helpers/web.ts';

const postJson = (app: ReturnType<typeof webApp>['app'], body: unknown, headers: Record<string, string> = {}) =>
  app.request('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('POST /api/runs', () => {
  it('queues a run from JSON with numbers, tags and a preset, as the form would, and answers 201 with the run', async () => {
    const { app, db } = webApp();
    const res = await postJson(app, { epochs: 1, 'train-limit': 500, 'learning-rate': 0.003, model: 'mlp', optimizer: 'sgd', name: 'from a script', tags: { purpose: 'api' } });
    expect(res.status).toBe(201);
    const body = await res.json();
    const [run] = listRuns(db);
    expect(res.headers.get('Location')).toBe(`/api/runs/${run!.id}`);
    expect(body).toEqual(JSON.parse(JSON.stringify(runSummary(db, getRun(db, run!.id)))));
    expect(run).toMatchObject({ status: 'queued', name: 'from a script' });
    expect(run!.params).toMatchObject({ epochs: 1, trainLimit: 500, learningRate: 0.003, model: 'mlp', optimizer: 'sgd' });
    expect(runTagMap(db, run!.id)).toEqual({ purpose: 'api' });
    // The form given the same fields as text records the same settings.
    const form = parseLaunchForm({ epochs: '1', 'train-limit': '500', 'learning-rate': '0.003', model: 'mlp', optimizer: 'sgd', name: 'from a script', tags: 'purpose=api' });
    expect(form.ok && { ...form.run.params, seed: 0 }).toEqual({ ...(run!.params as object), seed: 0 });
  });

  it('refuses bad fields with 422 and the form\'s messages, field by field, and queues nothing', async () => {
    const { app, db } = webApp();
    const res = await postJson(app, { epochs: 0, 'learning-rate': 'fast', 'batch-size': 64, tags: 'no value here', learningRate: 0.1, momentum: [0.9] });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toMatch(/not queued/);
    expect(body.errors).toEqual({
      epochs: "must be a whole number from 1 to 1000; got '0'",
      'learning-rate': "must be a number from 1e-7 to 10; got 'fast'",
      tags: expect.stringMatching(/^takes key=value/),
      learningRate: "not a field; did you mean 'learning-rate'?",
      momentum: 'must be a number or a string',
    });
    // The same words the form puts beside its fields.
    const form = await postForm(app, '/runs', { epochs: '0', 'learning-rate': 'fast' });
    expect(await form.text()).toContain('must be a whole number from 1 to 1000; got &#39;0&#39;');
    expect(listRuns(db)).toHaveLength(0);
  });

  it('refuses __proto__ as the unknown field it is, with 422, rather than letting it set the body\'s prototype', async () => {
    const { app, db } = webApp();
    // Written out: JSON.stringify of an object literal would not carry __proto__ as a key.
    const res = await postJson(app, '{"__proto__": {"epochs": 1}}');
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual({ ['__proto__']: expect.stringMatching(/^not a field; the fields are /) });
    expect(listRuns(db)).toHaveLength(0);
  });

  it('refuses a name with a NUL or a lone surrogate with 422, saying why', async () => {
    // JSON escapes, as a script would send them: the request body itself is valid UTF-8.
    const { app, db } = webApp();
    for (const name of ['a\\u0000b', 'half \\ud800 a pair']) {
      const res = await postJson(app, `{"epochs": 1, "name": "${name}"}`);
      expect(res.status, name).toBe(422);
      expect((await res.json()).errors, name).toEqual({ name: 'must be printable text: no control characters (such as NUL) and no lone surrogates' });
    }
    expect(listRuns(db)).toHaveLength(0);
  });

  it('puts a check across fields beside the field it names, as the form does', async () => {
    const { app, db } = webApp();
    const res = await postJson(app, { 'train-limit': 1, 'validation-split': 0.5 });
    expect(res.status).toBe(422);
    expect((await res.json()).errors).toEqual({ 'validation-split': 'leaves no training images of the 1' });
    expect(listRuns(db)).toHaveLength(0);
  });

  it('takes threads, and workers as its former name, recording both where runs always kept the count', async () => {
    const { app, db } = webApp();
    for (const body of [{ threads: 2, 'batch-size': 32 }, { workers: 2, 'batch-size': 32 }]) {
      expect((await postJson(app, body)).status).toBe(201);
    }
    expect(listRuns(db).map((run) => (run.params as { workers?: number }).workers)).toEqual([2, 2]);
    // A problem with the count is reported under the name the script sent.
    const bad = await postJson(app, { workers: 3, 'batch-size': 2 });
    expect((await bad.json()).errors).toEqual({ workers: 'needs at least 3 images per batch, one per thread; the batch size is 2' });
    const both = await postJson(app, { workers: 2, threads: 2 });
    expect((await both.json()).errors).toEqual({ workers: 'is the former name of threads; send one of them' });
    expect(listRuns(db)).toHaveLength(2);
    // The form labels the field Threads; a remote trainer is what "worker" means.
    const page = await (await app.request('/runs')).text();
    expect(page).toMatch(/<span class="label">Threads<\/span>\s*<input type="number" name="threads"/);
    expect(page).not.toContain('name="workers"');
  });

  it('answers 400 for a body that is not a JSON object, and 415 for a form body', async () => {
    const { app, db } = webApp();
    for (const body of ['{"epochs":', '[1,2]', '"epochs"']) {
      const res = await postJson(app, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/JSON object/);
    }
    const form = await app.request('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'epochs=1' });
    expect(form.status).toBe(415);
    expect(listRuns(db)).toHaveLength(0);
  });

  it('refuses cross-site and foreign-Host requests and takes a client with no Origin (curl)', async () => {
    const { app, db } = webApp();
    expect((await postJson(app, { epochs: 1 }, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await postJson(app, { epochs: 1 }, { Origin: 'http://localhost', 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    const rebound = await app.request('http://evil.example/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' }, body: '{"epochs":1}' });
    expect(rebound.status).toBe(421);
    expect(listRuns(db)).toHaveLength(0);
    expect((await postJson(app, { epochs: 1 })).status).toBe(201);
    expect((await postJson(app, { epochs: 1 }, { Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' })).status).toBe(201);
    expect(listRuns(db)).toHaveLength(2);
  });
});

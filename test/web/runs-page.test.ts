import { describe, expect, it } from 'vitest';
import { executeRun } from '../../src/training/experiment.ts';
import { claimRun, createRun, getRun, listRuns } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { BATCH_NORM_DROPOUT_SPEC } from '../helpers/model-specs.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { postForm, webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

const XSS = '<script>alert(1)</script>';

/** Run ids in the order the table lists them. */
const listedIds = (html: string) => [...html.matchAll(/<tr id="run-(\d+)"/g)].map((m) => Number(m[1]));

function appWithRuns() {
  const env = webApp();
  const labels = env.images.labels.subarray(0, 300);
  const good = recordCompletedRun(env.db, labels, { name: 'good', accuracy: 0.95, seed: 1, tags: { sweep: 'lr' } });
  const poor = recordCompletedRun(env.db, labels, { name: 'poor', accuracy: 0.6, seed: 2, tags: { sweep: 'batch' } });
  const waiting = createRun(env.db, { name: 'waiting', params: smallRunParams() });
  return { ...env, good, poor, waiting };
}

describe('deleting and rerunning from the web', () => {
  it('asks before deleting, then deletes; a running run is refused with 409', async () => {
    const { app, db, good, waiting } = appWithRuns();
    const ask = await (await app.request(`/runs/${good.id}/delete`)).text();
    expect(ask).toMatch(new RegExp(`<form method="post" action="/runs/${good.id}/delete">`));
    expect(ask).toMatch(/\(\d+(\.\d)? kB\)/);
    const res = await postForm(app, `/runs/${good.id}/delete`, {});
    expect(res.status).toBe(303);
    expect(listRuns(db).map((r) => r.id)).not.toContain(good.id);
    // The list it returns to says so (issue 27, item 39), and only there.
    const list = await (await app.request(res.headers.get('Location')!)).text();
    expect(list).toContain(`<p class="notice deleted-notice" role="status">Run ${good.id} was deleted, with its metrics, predictions and weights.</p>`);
    expect(await (await app.request('/runs')).text()).not.toContain('was deleted');
    claimRun(db, waiting.id);
    expect(await (await app.request(`/runs/${waiting.id}/delete`)).text()).toContain('is running; cancel it first');
    expect((await postForm(app, `/runs/${waiting.id}/delete`, {})).status).toBe(409);
    expect(getRun(db, waiting.id).status).toBe('running');
  });

  it('opens the launch form filled in from a run for ?from=N', async () => {
    const { app, poor } = appWithRuns();
    const html = await (await app.request(`/runs?from=${poor.id}`)).text();
    expect(html).toContain('<details id="launch" class="card" open="">');
    expect(html).toContain(`name="seed" value="2"`);
    expect(html).toContain('sweep=batch</textarea>');
    expect((await app.request('/runs?from=999')).status).toBe(404);
  });

  it("says in the blank momentum box what the run's optimizer would use, not sgd's 0.9 for adam", async () => {
    const { app, db } = webApp();
    const momentumOf = async (url: string) => /<input type="number" name="momentum"[^>]*placeholder="([^"]*)"/.exec(await (await app.request(url)).text())?.[1];
    expect(await momentumOf('/runs')).toBe('only for sgd or rmsprop');
    for (const [optimizer, placeholder] of [['sgd', '0.9'], ['rmsprop', '0'], ['adamw', 'only for sgd or rmsprop']] as const) {
      const run = recordCompletedRun(db, new Uint8Array(10), { params: { optimizer } });
      expect(await momentumOf(`/runs?from=${run.id}`)).toBe(placeholder);
    }
  });
});

describe('the runs page', () => {
  it('tells a filter that matches nothing apart from an empty workbench (bug 6)', async () => {
    const { app } = appWithRuns();
    const html = await (await app.request('/runs?q=nothing-like-this')).text();
    expect(html).not.toContain('No runs here yet');
    expect(html).toContain('No runs match these filters');
    expect(html).toContain('href="/runs"');
    const empty = await (await webApp().app.request('/runs')).text();
    expect(empty).toContain('No runs here yet');
  });

  it('lists every run with status, tags, hyperparameters and scores, newest first', async () => {
    const { app, good, poor, waiting } = appWithRuns();
    const res = await app.request('/runs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(listedIds(html)).toEqual([waiting.id, poor.id, good.id]);
    expect(html).toContain('badge-completed');
    expect(html).toContain('badge-queued');
    expect(html).toContain('sweep=lr');
    expect(html).toContain(`${(good.testAccuracy! * 100).toFixed(2)}%`);
    expect(html).toContain('src="/static/htmx.min.js"');
  });

  it('filters by status, tag and text, and sorts by accuracy either way', async () => {
    const { app, good, poor, waiting } = appWithRuns();
    const ids = async (query: string) => listedIds(await (await app.request(`/runs?${query}`)).text());
    expect(await ids('status=queued')).toEqual([waiting.id]);
    expect(await ids('tag=sweep')).toEqual([poor.id, good.id]);
    expect(await ids('tag=sweep%3Dlr')).toEqual([good.id]);
    expect(await ids('q=POOR')).toEqual([poor.id]);
    expect(await ids(`q=%23${good.id}`)).toEqual([good.id]);
    expect(await ids('sort=accuracy&dir=desc')).toEqual([good.id, poor.id, waiting.id]);
    expect(await ids('sort=accuracy&dir=asc')).toEqual([poor.id, good.id, waiting.id]);
  });

  it('answers a bad sort or status with a 400 page, not a 500', async () => {
    const { app } = webApp();
    for (const query of ['sort=colour', 'dir=up', 'status=done']) {
      const res = await app.request(`/runs?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('polls the rows of active runs only, keeping their selection boxes', async () => {
    const { app, good, waiting } = appWithRuns();
    const html = await (await app.request('/runs')).text();
    expect(html).toMatch(new RegExp(`<tr id="run-${waiting.id}" hx-get="/runs/${waiting.id}/row" hx-trigger="every 2s"`));
    expect(html).toMatch(new RegExp(`<tr id="run-${good.id}">`));
    expect(html).toMatch(/class="select-run" id="select-\d+" value="\d+"[^>]*hx-preserve/);
    expect(html).toContain('id="compare-link"');
    const row = await app.request(`/runs/${waiting.id}/row`);
    expect(await row.text()).toMatch(/^<tr id="run-\d+"/);
  });

  it('escapes what people typed', async () => {
    const { app, db } = webApp();
    createRun(db, { name: XSS, params: smallRunParams(), tags: { note: XSS } });
    const html = await (await app.request(`/runs?q=${encodeURIComponent(XSS)}`)).text();
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('launching from the runs page', () => {
  it('queues a run with the given hyperparameters, name and tags and redirects to it', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', {
      name: XSS,
      epochs: '2',
      'batch-size': '32',
      'validation-split': '0.1',
      'learning-rate': '0.002',
      seed: '9',
      'train-limit': '300',
      'test-limit': '',
      tags: 'purpose=test\n  owner=me  ',
    });
    expect(res.status).toBe(303);
    const [run] = listRuns(db);
    expect(res.headers.get('location')).toBe(`/runs/${run!.id}`);
    expect(getRun(db, run!.id)).toMatchObject({ name: XSS, status: 'queued' });
    expect(run!.params).toMatchObject({ epochs: 2, batchSize: 32, validationSplit: 0.1, learningRate: 0.002, seed: 9, trainLimit: 300, testLimit: null });
    const api = await (await app.request(`/api/runs/${run!.id}`)).json();
    expect(api.tags).toEqual({ purpose: 'test', owner: 'me' });
  });

  it('shows each blank field its default, so an empty form says it trains the full reference experiment', async () => {
    const html = await (await webApp().app.request('/runs')).text();
    expect(html).toMatch(/name="epochs" value="" [^>]*placeholder="5"/);
    expect(html).toMatch(/name="batch-size" value="" [^>]*placeholder="64"/);
    expect(html).toMatch(/name="train-limit" value="" [^>]*placeholder="all 60,000"/);
    expect(html).toMatch(/name="seed" value="" [^>]*placeholder="a random seed"/);
    expect(html).toContain('An empty form trains the full reference experiment');
  });

  it('names a run from its hyperparameters when the name is blank', async () => {
    const { app, db } = webApp();
    await postForm(app, '/runs', { name: '  ', seed: '3', epochs: '1' });
    expect(listRuns(db)[0]!.name).toBe('cnn-e1-b64-lr0.001-s3');
  });

  it('re-renders the form with a message beside each bad field, status 422, and queues nothing', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', { epochs: '0', 'learning-rate': 'fast', 'batch-size': '64', tags: 'no value here' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/<details id="launch" class="card" open/);
    expect(html).toMatch(/name="epochs" value="0"[\s\S]*?<span class="field-error" id="epochs-error">must be a whole number from 1 to 1000; got &#39;0&#39;/);
    expect(html).toMatch(/id="learning-rate-error">must be a number from 1e-7 to 10; got &#39;fast&#39;/);
    expect(html).toMatch(/id="tags-error">takes key=value/);
    expect(html).not.toContain('id="batch-size-error"');
    expect(listRuns(db)).toHaveLength(0);
  });

  it('refuses a split that leaves nothing to train on, beside the split field', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', { 'train-limit': '1', 'validation-split': '0.5' });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="validation-split-error">leaves no training images of the 1</);
    expect(listRuns(db)).toHaveLength(0);
  });

  it('queues a preset with its recipe and augmentation, recorded as train --model would record them', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', {
      model: 'reference-dropout',
      spec: '',
      optimizer: 'sgd',
      momentum: '0.8',
      'lr-schedule': 'cosine',
      'label-smoothing': '0.1',
      augment: 'shift=2,rotate=10',
      epochs: '1',
    });
    expect(res.status).toBe(303);
    const params = listRuns(db)[0]!.params as Record<string, unknown>;
    expect(params).toMatchObject({ model: 'reference-dropout', optimizer: 'sgd', momentum: 0.8, lrSchedule: 'cosine', labelSmoothing: 0.1, augment: { shift: 2, rotate: 10 } });
    expect((params.layers as { type: string }[]).filter((layer) => layer.type === 'dropout')).toHaveLength(3);
    expect(listRuns(db)[0]!.name).toMatch(/^reference-dropout-e1-.*-sgd-cosine-aug-s/);
  });

  it('trains a spec typed in the editor, and refuses a bad one beside the editor naming the layer', async () => {
    const { app, db } = webApp();
    const spec = '{"layers":[{"type":"conv2d","filters":8,"kernelSize":3,"activation":"relu"},{"type":"batchNormalization"},{"type":"dropout","rate":0.2},{"type":"flatten"},{"type":"dense","units":10,"activation":"softmax"}]}';
    expect((await postForm(app, '/runs', { model: 'custom', spec, epochs: '1' })).status).toBe(303);
    expect(listRuns(db)[0]!.params).toMatchObject({ model: 'custom', layers: JSON.parse(spec).layers });

    const collapsing = spec.replace('"kernelSize":3', '"kernelSize":30');
    const bad = await postForm(app, '/runs', { model: 'custom', spec: collapsing, epochs: '1' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="spec-error">layers\[0\] \(conv2d\): kernelSize 30 on a 28x28x1 input collapses the output/);
    // A path would read the server's files: only a spec inline is taken.
    const file = await postForm(app, '/runs', { model: 'custom', spec: '/etc/passwd.json' });
    expect(await file.text()).toMatch(/id="spec-error">type a layers spec/);
    const unknown = await postForm(app, '/runs', { model: '/etc/spec.json' });
    expect(await unknown.text()).toMatch(/id="model-error">must be one of reference, mlp/);
    expect(listRuns(db)).toHaveLength(1);
  });

  it('trains a batch-norm and dropout spec launched from the form on 5,000 images to a sane accuracy', async () => {
    const { app, db } = webApp();
    const spec = JSON.stringify(BATCH_NORM_DROPOUT_SPEC);
    const fields = { model: 'custom', spec, epochs: '1', 'train-limit': '5000', 'test-limit': '1000', 'validation-split': '0', seed: '2' };
    expect((await postForm(app, '/runs', fields)).status).toBe(303);
    const [queued] = listRuns(db);
    // What the queue's child process does with a claimed run, here in-process.
    expect(claimRun(db, queued!.id)).toBe(true);
    const run = await executeRun(storeOn(db), queued!.id, { backend: 'wasm' });
    expect(run.status).toBe('completed');
    expect(run.testAccuracy).toBeGreaterThan(0.8);
    const page = await (await app.request(`/runs/${run.id}`)).text();
    expect(page).toContain('batchNormalization');
  }, 180_000);

  it('puts a recipe flag that does not apply beside its field', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', { optimizer: 'adam', momentum: '0.9' });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="momentum-error">applies to the sgd and rmsprop optimizers, not adam</);
    expect(listRuns(db)).toHaveLength(0);
  });

  it('checks the model fields as they are typed: the parameter count, or the layer at fault', async () => {
    const { app } = webApp();
    const preset = await (await postForm(app, '/models/check', { model: 'lenet5', spec: '' })).text();
    expect(preset).toMatch(/<strong>lenet5<\/strong>: 61,706 parameters, 8 layers/);
    const typed = await (await postForm(app, '/models/check', { model: 'custom', spec: '{"layers":[{"type":"flatten"},{"type":"dense","units":10,"activation":"softmax"}]}' })).text();
    expect(typed).toMatch(/7,850 parameters, 2 layers/);
    const bad = await (await postForm(app, '/models/check', { model: 'custom', spec: '{"layers":[{"type":"dense","units":10,"activation":"softmax"}]}' })).text();
    expect(bad).toMatch(/class="field-error">layers\[0\] \(dense\): needs a flat input/);
  });

  it('refuses a form posted from another site', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/runs', { epochs: '1' }, { Origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(listRuns(db)).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { registerDataset } from '../../src/data/datasets/catalogue.ts';
import { decodePictureFolder } from '../../src/data/datasets/image-folder.ts';
import { getRun, listRuns, testConfusion } from '../../src/store/store.ts';
import { tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { postForm, webApp } from '../helpers/web.ts';

const postJson = (app: ReturnType<typeof webApp>['app'], path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

/** A web app whose store knows a registered 4-class picture folder, `shapes`. */
function appWithShapes() {
  const web = webApp();
  const folder = writePictureFolder(tempDir('launch-shapes'), 2);
  registerDataset(web.db, 'shapes', folder);
  return { ...web, folder };
}

describe('launching a run on a dataset', () => {
  it('offers every known dataset in the launch form, and queues a run on a registered one with a 4-wide softmax', async () => {
    const { app, db } = appWithShapes();
    const page = await (await app.request('/runs')).text();
    expect(page).toMatch(/<select name="dataset"[^>]*>.*<option value="mnist">mnist<\/option><option value="fashion-mnist">fashion-mnist<\/option><option value="shapes">shapes<\/option>/s);
    const res = await postForm(app, '/runs', { dataset: 'shapes', epochs: '1' });
    expect(res.status).toBe(303);
    const [run] = listRuns(db);
    expect(run).toMatchObject({ dataset: 'shapes', status: 'queued' });
    expect(run!.name).toMatch(/^shapes-/);
    expect((run!.params as { layers: unknown[] }).layers.at(-1)).toEqual({ type: 'dense', units: 4, activation: 'softmax' });
  });

  it('refuses an unknown dataset and a spec that does not fit beside their fields, in the form and POST /api/runs', async () => {
    const { app, db } = appWithShapes();
    const form = await postForm(app, '/runs', { dataset: 'cifar' });
    expect(form.status).toBe(422);
    const page = await form.text();
    expect(page).toMatch(/id="dataset-error">must name a known dataset \(mnist, fashion-mnist, shapes\); got &#39;cifar&#39;/);
    const api = await postJson(app, '/api/runs', { dataset: 'cifar', epochs: 1 });
    expect(api.status).toBe(422);
    expect((await api.json()).errors).toEqual({ dataset: expect.stringMatching(/^must name a known dataset \(mnist, fashion-mnist, shapes\); got 'cifar'/) });
    const spec = { layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] };
    const misfit = await postJson(app, '/api/runs', { dataset: 'shapes', spec });
    expect(misfit.status).toBe(422);
    expect((await misfit.json()).errors).toEqual({ spec: expect.stringMatching(/^spec: the last layer has 10 units, but dataset 'shapes' has 4 classes/) });
    expect(listRuns(db)).toEqual([]);
    const fashion = await postJson(app, '/api/runs', { dataset: 'fashion-mnist', epochs: 1 });
    expect(fashion.status).toBe(201);
    expect((await fashion.json()).params).toMatchObject({ dataset: 'fashion-mnist', epochs: 1 });
  });

  it('records a tracked run\'s dataset and scores its predictions against that dataset\'s test labels, 4 wide', async () => {
    const { app, db, folder } = appWithShapes();
    const unknown = await postJson(app, '/api/tracking/runs', { name: 'script', dataset: 'cifar' });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toMatch(/dataset must name a known dataset/);
    const created = await postJson(app, '/api/tracking/runs', { name: 'script', dataset: 'shapes', params: { seed: 1 } });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect(getRun(db, id).dataset).toBe('shapes');
    expect((await (await app.request(`/api/runs/${id}`)).json()).dataset).toBe('shapes');
    const { labels } = decodePictureFolder(folder).splits.test;
    const rows = Array.from(labels, (label) => [0, 1, 2, 3].map((c) => (c === label ? 0.7 : 0.1)));
    const ten = await app.request(`/api/tracking/runs/${id}/predictions`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ probabilities: rows.map(() => new Array(10).fill(0.1)) }) });
    expect(ten.status).toBe(422);
    expect((await ten.json()).error).toMatch(/must be a list of 4 numbers/);
    const put = await app.request(`/api/tracking/runs/${id}/predictions`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ probabilities: rows }) });
    expect(put.status).toBe(200);
    expect(getRun(db, id).testAccuracy).toBe(1);
    expect(testConfusion(db, id)).toEqual([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { runPredictionFile } from '../../src/models/imported/prediction-file.ts';
import { layersModelToOnnx } from '../../src/models/onnx/onnx-export.ts';
import { listRuns } from '../../src/store/store.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';
import { loadDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { tempDir, writeIdxSet } from '../helpers/datasets.ts';
import path from 'node:path';

const { app, db, images } = webApp();
let onnx: Uint8Array<ArrayBuffer>;

/** A multipart post from the page's own origin, as the form (htmx or plain) sends it. */
function upload(files: File[], fields: Record<string, string> = {}, htmx = true): RequestInit {
  const form = new FormData();
  for (const file of files) form.append('file', file);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return { method: 'POST', body: form, headers: { Origin: 'http://localhost', ...(htmx ? { 'HX-Request': 'true' } : {}) } };
}

beforeAll(async () => {
  // A small untrained ONNX model: what matters here is the upload path, not its accuracy.
  await selectBackend('wasm');
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 16, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
  onnx = new Uint8Array(layersModelToOnnx(model, 'test'));
  model.dispose();
});

describe('importing from the runs page', () => {
  it('offers the upload form with its size limit', async () => {
    const html = await (await app.request('/runs')).text();
    expect(html).toContain('action="/runs/import"');
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toMatch(/At most\s+50 MB/);
  });

  it('imports an ONNX upload, redirects to its run page, which says what is fed and what is absent', async () => {
    const res = await app.request('/runs/import', upload([new File([onnx], 'dense.onnx')], { name: 'outside dense' }, false));
    expect(res.status).toBe(303);
    const run = listRuns(db).find((r) => r.name === 'outside dense')!;
    expect(res.headers.get('location')).toBe(`/runs/${run.id}`);
    expect(run).toMatchObject({ source: 'imported', status: 'completed' });

    const page = await (await app.request(`/runs/${run.id}`)).text();
    expect(page).toContain('<h2>Imported model</h2>');
    expect(page).toContain('ONNX (onnxruntime-node, CPU)');
    expect(page).toMatch(/input fed<\/dt><dd>\[-1,28,28,1\] \(NHWC\)/);
    expect(page).toMatch(/No epochs or training curves/);
    expect(page).toMatch(/onnxruntime computes no gradients/);
    expect(page).toContain('npx digitlab import dense.onnx --input-layout nhwc --input-scale unit --output probabilities');
    expect(page).not.toContain('Train it again');
    expect(page).not.toContain('<h2>Hyperparameters</h2>');

    const list = await (await app.request('/runs')).text();
    expect(list).toMatch(new RegExp(`outside dense</a> <span class="badge badge-imported"`));
    // Its time column says it trained elsewhere, not that it trained for 0s.
    const row = list.slice(list.indexOf(`id="run-${run.id}"`), list.indexOf('</tr>', list.indexOf(`id="run-${run.id}"`)));
    expect(row).toContain('not trained here');
    expect(row).not.toMatch(/>0s</);
  });

  it('imports a prediction file through htmx, and its page says why it has no map and reads no digits', async () => {
    const trained = recordCompletedRun(db, images.labels);
    const npy = runPredictionFile(db, trained.id, 'npy')!;
    const res = await app.request('/runs/import', upload([new File([new Uint8Array(npy)], 'preds.npy')]));
    expect(res.status).toBe(200);
    const run = listRuns(db)[0]!;
    expect(res.headers.get('HX-Redirect')).toBe(`/runs/${run.id}`);
    expect(run.testAccuracy).toBe(trained.testAccuracy);

    const page = await (await app.request(`/runs/${run.id}`)).text();
    expect(page).toMatch(/No reading of new digits \(predict, my digits\) and no explanations: a prediction file holds outputs/);
    expect(page).toMatch(/No map of its embeddings and no discovered slices: a prediction file holds no model/);
    const analysis = await (await app.request(`/runs/${run.id}/analysis`)).text();
    expect(analysis).toMatch(/No discovered slices and no map of the model&#39;s embeddings: a prediction file holds no model/);
    expect(analysis).not.toContain('map-run-');
  });

  it("imports a prediction file of another dataset's test set, chosen in the form, and refuses a dataset the store does not know", async () => {
    const dir = writeIdxSet(path.join(tempDir('import-shapes'), 'shapes'), { classes: ['circle', 'square', 'triangle', 'star'] });
    registerDataset(db, 'shapes', dir);
    expect(await (await app.request('/runs')).text()).toMatch(/<select name="dataset">\s*<option value="mnist" selected="">mnist<\/option>[\s\S]*<option value="shapes">shapes<\/option>/);
    const test = loadDataset(db, 'shapes', 'test');
    // Every image given its own label with certainty: accuracy 1 on the shapes' test set.
    const rows = Array.from(test.labels, (label) => [0, 1, 2, 3].map((c) => (c === label ? 1 : 0)).join(','));
    const csv = new File([`${rows.join('\n')}\n`], 'shapes.csv');
    const res = await app.request('/runs/import', upload([csv], { name: 'shapes import', dataset: 'shapes' }, false));
    expect(res.status).toBe(303);
    const run = listRuns(db).find((r) => r.name === 'shapes import')!;
    expect(run).toMatchObject({ dataset: 'shapes', testAccuracy: 1 });

    const wrong = await app.request('/runs/import', upload([csv], { name: 'nowhere', dataset: 'nowhere' }, false));
    expect(wrong.status).toBe(422);
    const html = await wrong.text();
    expect(html).toMatch(/dataset must name a known dataset \(mnist, fashion-mnist, shapes\); got &#39;nowhere&#39;/);
    expect(listRuns(db).some((r) => r.name === 'nowhere')).toBe(false);
  });

  it('answers a bad file with the reason beside the form (htmx), storing nothing', async () => {
    const before = listRuns(db).length;
    const res = await app.request('/runs/import', upload([new File(['not a model'], 'junk.onnx')]));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^<p id="import-error" class="form-error" role="alert">Nothing was imported: .*not an ONNX model/);
    expect(listRuns(db).length).toBe(before);
  });

  it('answers a bad plain post with the page and the form refilled', async () => {
    const res = await app.request('/runs/import', upload([new File(['1,2,3\n'], 'short.csv')], { name: 'keep me', scale: 'byte' }, false));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<details id="import" class="card" open="">');
    expect(html).toMatch(/Nothing was imported: .*10 columns|Nothing was imported: .*ten/);
    expect(html).toContain('value="keep me"');
    expect(html).toMatch(/<option value="byte" selected="">byte<\/option>/);
  });

  it.each([
    ['no file', [], {}, /choose a file first/],
    ['a choice that does not exist', [new File([onnx], 'dense.onnx')], { layout: 'nwch' }, /layout must be one of auto, nchw, nhwc/],
    ['two files that are not a tfjs model', [new File(['a'], 'a.npy'), new File(['b'], 'b.npy')], {}, /several files are only for a tfjs model.json/],
  ])('refuses %s', async (_, files, fields, message) => {
    const res = await app.request('/runs/import', upload(files as File[], fields));
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(message);
  });

  it('refuses an upload over the stated limit', async () => {
    const res = await app.request('/runs/import', upload([new File([new Uint8Array(51 * 1024 * 1024)], 'huge.onnx')]));
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/at most 50 MB/);
  });
});

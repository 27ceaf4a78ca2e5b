import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { tempDir, writeIdxSet } from '../helpers/datasets.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

const SHAPES = ['circle', 'square', 'triangle', 'star'];

/** A web app with a registered 4-class IDX dataset `shapes` (8 test images) and a completed run on it. */
function appWithShapes() {
  const web = webApp();
  const dir = writeIdxSet(path.join(tempDir('views'), 'shapes'), { classes: SHAPES });
  registerDataset(web.db, 'shapes', dir);
  const test = loadDataset(web.db, 'shapes', 'test');
  const run = recordCompletedRun(web.db, test.labels, { dataset: 'shapes', classes: 4, accuracy: 0.5, seed: 3 });
  return { ...web, run, test };
}

describe("a run's pages show its own dataset", () => {
  it('draws a 4x4 confusion matrix with the class names on its axes, and per-class metrics by name', async () => {
    const { app, run } = appWithShapes();
    expect(run.dataset).toBe('shapes');
    const html = await (await app.request(`/runs/${run.id}`)).text();
    const matrix = html.slice(html.indexOf('<table class="matrix">'), html.indexOf('</table>', html.indexOf('<table class="matrix">')));
    expect(matrix.match(/<th scope="col" title="[^"]+">/g)).toHaveLength(4);
    for (const name of SHAPES) expect(matrix).toContain(`title="${name}"`);
    const metrics = html.slice(html.indexOf('<table class="class-metrics">'));
    expect(metrics).toContain('<th scope="row">triangle</th>');
    expect(metrics).not.toContain('<th scope="row">4</th>');
  });

  it("a cell's gallery shows the run's dataset's images, named, and refuses a class the dataset lacks", async () => {
    const { app, run, test } = appWithShapes();
    const res = await app.request(`/runs/${run.id}/gallery?label=3&predicted=3`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('True star, predicted star');
    const stars = [...test.labels].filter((l) => l === 3).length;
    expect(html.match(/<li class="tile/g)?.length ?? 0).toBeLessThanOrEqual(stars);
    expect((await app.request(`/runs/${run.id}/gallery?label=4&predicted=0`)).status).toBe(400);
  });

  it("the image page shows the run's dataset's image and names its label; ?dataset= picks one without a run", async () => {
    const { app, run, test } = appWithShapes();
    const html = await (await app.request(`/images/test/0?run=${run.id}`)).text();
    expect(html).toContain(`<strong class="truth">${SHAPES[test.labels[0]!]}</strong>`);
    expect(html).toContain('/images/test/0.png?dataset=shapes');
    expect(html).toMatch(/1 runs got it right|0 of 1 runs got it right|1 of 1 runs got it right/);
    // The PNG is the dataset's own image: the helper's images are one flat grey per label.
    const png = await app.request('/images/test/0.png?dataset=shapes');
    expect(png.status).toBe(200);
    const mnistPng = await app.request('/images/test/0.png');
    expect(Buffer.from(await png.arrayBuffer()).equals(Buffer.from(await mnistPng.arrayBuffer()))).toBe(false);
    // 8 test images: a ninth is not found, and the message names the dataset.
    const missing = await app.request('/images/test/8?dataset=shapes');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('shapes&#39;s test set has images 0 to 7');
    // MNIST's image 0 lists no run on shapes.
    expect(await (await app.request('/images/test/0')).text()).toContain('No completed run has a prediction for this image yet.');
    expect((await app.request('/images/test/0?dataset=no-such')).status).toBe(404);
  });

  it("the dataset page ranks its label issues in a thread while the section polls, over that dataset's runs only", async () => {
    const { app } = appWithShapes();
    const page = await (await app.request('/dataset?dataset=shapes')).text();
    expect(page).toContain('hx-get="/dataset/label-issues?dataset=shapes"');
    let section = '';
    for (let tries = 0; tries < 100; tries++) {
      section = await (await app.request('/dataset/label-issues?dataset=shapes')).text();
      if (!section.includes('Ranking them')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(section).toContain('Test images of shapes whose given label the completed runs (1) doubt');
    expect(section).not.toContain('hx-get');
  });

  it("a run's discovered slices on another dataset are found in a thread while the panel polls, not on the request", async () => {
    const { app, db } = appWithShapes();
    const test = loadDataset(db, 'shapes', 'test');
    const run = recordCompletedRun(db, test.labels, { dataset: 'shapes', classes: 4, accuracy: 0.5, seed: 4, embeddingDimensions: 8 });
    const first = await (await app.request(`/runs/${run.id}/slices`)).text();
    expect(first).toContain(`hx-get="/runs/${run.id}/slices"`);
    let panel = first;
    for (let tries = 0; tries < 100 && panel.includes('hx-get'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      panel = await (await app.request(`/runs/${run.id}/slices`)).text();
    }
    expect(panel).toContain('No cluster stands out.');
    // Calibration reads the same slices, now found, rather than finding its own.
    expect(await (await app.request(`/runs/${run.id}/calibration`)).text()).not.toContain('being found');
  });

  it('Fashion-MNIST runs: the matrix and image pages carry its class names', async () => {
    const { app, db } = webApp();
    const test = loadDataset(db, 'fashion-mnist', 'test', { limit: 300 });
    const run = recordCompletedRun(db, test.labels, { dataset: 'fashion-mnist', accuracy: 0.8 });
    const html = await (await app.request(`/runs/${run.id}`)).text();
    expect(html).toContain('title="Ankle boot"');
    expect(html).toContain('<th scope="row">Pullover</th>');
    const image = await (await app.request(`/images/test/0?run=${run.id}`)).text();
    expect(image).toContain('<strong class="truth">Ankle boot</strong>');
  });

  it("the analysis fragment explains, rather than computes, the crossed-seven slice on another dataset", async () => {
    const { app, run } = appWithShapes();
    const html = await (await app.request(`/runs/${run.id}/analysis`)).text();
    expect(html).toContain('No crossed-seven slice: it is MNIST&#39;s');
    expect(html).not.toContain('Crossed and plain sevens');
  });

  it('the compare page shows why two runs on different datasets are not compared', async () => {
    const { app, db, run } = appWithShapes();
    const mnist = recordCompletedRun(db, loadDataset(db, 'mnist', 'test', { limit: 8 }).labels, { seed: 9 });
    const res = await app.request(`/compare?runs=${mnist.id},${run.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`runs ${mnist.id} and ${run.id} were tested on different datasets (mnist against shapes)`);
    // No accuracy difference across two test sets: a dash, and each run's dataset named.
    expect(html).toContain('<span class="badge badge-dataset">shapes</span>');
    expect(html).toContain('accuracies on two test sets');
    const api = await app.request(`/api/compare?a=${mnist.id}&b=${run.id}`);
    expect(api.status).toBe(400);
    expect((await api.json()).error).toContain('different datasets');
  });

  it('the runs list filters by dataset, offers every dataset, badges non-MNIST runs, and GET /api/runs filters alike', async () => {
    const { app, db, run } = appWithShapes();
    const mnist = recordCompletedRun(db, loadDataset(db, 'mnist', 'test', { limit: 50 }).labels, { seed: 9, name: 'digits' });
    const listed = (html: string) => [...html.matchAll(/<tr id="run-(\d+)"/g)].map((m) => Number(m[1]));
    const all = await (await app.request('/runs')).text();
    expect(listed(all).sort()).toEqual([run.id, mnist.id].sort());
    for (const name of ['mnist', 'fashion-mnist', 'shapes']) expect(all).toContain(`<option value="${name}">${name}</option>`);
    expect(all).toContain('<span class="badge badge-dataset" title="on dataset shapes">shapes</span>');
    const shapesOnly = await (await app.request('/runs?dataset=shapes')).text();
    expect(listed(shapesOnly)).toEqual([run.id]);
    expect(shapesOnly).toContain('<option value="shapes" selected="">shapes</option>');
    expect(listed(await (await app.request('/runs?dataset=mnist')).text())).toEqual([mnist.id]);
    const api = await (await app.request('/api/runs?dataset=shapes')).json();
    expect(api.runs.map((r: { id: number }) => r.id)).toEqual([run.id]);
    // As a column and in the filter expression too.
    expect(listed(await (await app.request('/runs?where=dataset%3Dshapes')).text())).toEqual([run.id]);
  });

  it("calibration reads the run's dataset and its class count, with no seven slices", async () => {
    const { app, run } = appWithShapes();
    const res = await app.request(`/runs/${run.id}/calibration`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('id="calibration"');
    expect(html).not.toContain('crossed sevens');
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { MapJobs } from '../../src/analysis/maps/map-jobs.ts';
import { pixelMapKey, runMapKey } from '../../src/analysis/maps/map-store.ts';
import type { LayoutOptions } from '../../src/analysis/maps/umap-layout.ts';
import { partitionSevens } from '../../src/analysis/slices.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { seededRandom } from '../../src/core/random.ts';
import { MapPanel, mapUrls } from '../../src/web/analysis/map-panel.tsx';
import { analysisRoutes } from '../../src/web/analysis/routes.tsx';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';
import { runningRun } from '../helpers/db.ts';
import { layoutInProcess } from '../helpers/layouts.ts';
import { datasetPageWithFacts, webApp } from '../helpers/web.ts';

const IMAGES = 2000;
const test = loadMnist('test', { limit: IMAGES });
const crossed = new Set(partitionSevens(test).crossed);

/**
 * A run on the first 2,000 test images that gets every crossed seven wrong (as a 2) and nothing
 * else, with 2-D "embeddings" that put each class apart and its crossed sevens apart again.
 */
function appWithRun() {
  const env = webApp();
  const random = seededRandom(3);
  const predicted = Uint8Array.from(test.labels, (label, i) => (crossed.has(i) ? 2 : label));
  const vectors = new Float32Array(IMAGES * 2);
  test.labels.forEach((label, i) => vectors.set([label * 10 + (crossed.has(i) ? 5 : 0) + random(), random()], i * 2));
  const run = runningRun(env.db);
  completeWithoutTraining(env.db, run, { predicted, embeddings: { dimensions: 2, vectors } });
  const small: LayoutOptions = { epochs: 10, components: 2, neighbours: 5 };
  const maps = new MapJobs(env.db, layoutInProcess, small);
  const app = new Hono().route('/', analysisRoutes({ ...env, maps }));
  return { ...env, app, run, maps };
}

describe('the run analysis fragment', () => {
  it('shows crossed against plain sevens and finds the crossed sevens as a weak cluster', async () => {
    const { app, run, analyses } = appWithRun();
    // The clusters are found in a thread; until then the fragment says so and polls for them.
    const first = await (await app.request(`/runs/${run.id}/analysis`)).text();
    expect(first).toContain(`hx-get="/runs/${run.id}/slices" hx-trigger="load delay:1s"`);
    await analyses.discoveredSlices(run.id);
    const html = await (await app.request(`/runs/${run.id}/analysis`)).text();
    expect(html).not.toContain(`/runs/${run.id}/slices`);
    expect(html).toContain('Crossed and plain sevens');
    expect(html).toMatch(new RegExp(`crossed sevens</th><td class="num">${crossed.size}</td><td class="num">${crossed.size}</td><td class="num">100.00%`));
    expect(html).toContain(`2 (${crossed.size})`);
    expect(html).toMatch(/<article class="card discovered" data-label="7">/);
    const card = html.slice(html.indexOf('data-label="7"'));
    const shown = [...card.matchAll(/\/images\/test\/(\d+)\?run=/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((i) => crossed.has(i)).length).toBeGreaterThanOrEqual(0.9 * shown.length);
  });

  it('polls while the run is still training', async () => {
    const { app, db } = appWithRun();
    const training = runningRun(db);
    const html = await (await app.request(`/runs/${training.id}/analysis`)).text();
    expect(html).toContain(`hx-get="/runs/${training.id}/analysis" hx-trigger="load delay:5s"`);
  });
});

describe('the embeddings map', () => {
  it('shows progress that polls itself, then the scatter and its points', async () => {
    const { app, run, maps } = appWithRun();
    expect((await app.request(`/maps/run/${run.id}.json`)).status).toBe(404);
    const first = await (await app.request(`/maps/run/${run.id}`)).text();
    expect(first).toContain(`hx-get="/maps/run/${run.id}" hx-trigger="load delay:1s"`);
    expect(first).toMatch(/Computing the map: \w+/);
    await maps.get(runMapKey(run.id));
    const ready = await (await app.request(`/maps/run/${run.id}`)).text();
    expect(ready).toContain(`data-src="/maps/run/${run.id}.json"`);
    expect(ready).toContain('<canvas');
    expect(ready).not.toContain('hx-trigger');
    const points = await (await app.request(`/maps/run/${run.id}.json`)).json();
    expect(points.points).toHaveLength(2 * IMAGES);
    expect(points.labels).toEqual(Array.from(test.labels));
    expect(points.predicted.filter((p: number, i: number) => p !== test.labels[i])).toHaveLength(crossed.size);
    expect(points.crossedSevens).toEqual([...crossed]);
  });

  it('promises rings on mistakes only on maps that have predictions (bug 13)', async () => {
    const { app, run, maps } = appWithRun();
    await maps.get(runMapKey(run.id));
    expect(await (await app.request(`/maps/run/${run.id}`)).text()).toContain('Ringed: misclassified');
    const map = { key: pixelMapKey('mnist'), count: 2, seed: 1, coordinates: new Float32Array(4), seconds: 1, createdAt: new Date() };
    const pixels = String(MapPanel({ ...mapUrls(map.key), status: { state: 'ready', value: map } }));
    expect(pixels).toContain('<canvas');
    expect(pixels).not.toContain('Ringed');
  });

  it('starts no work for a cross-site request, which a link or an image on another site can send', async () => {
    const { app, run, maps, analyses } = appWithRun();
    for (const path of [`/maps/run/${run.id}`, `/runs/${run.id}/analysis`, `/runs/${run.id}/slices`, '/maps/pixels']) {
      const res = await app.request(path, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(res.status).toBe(200);
    }
    expect(maps.status(runMapKey(run.id))).toEqual({ state: 'absent' });
    expect(maps.status(pixelMapKey('mnist')).state).toBe('absent');
    expect(analyses.slicesStatus(run.id)).toEqual({ state: 'absent' });
    await app.request(`/maps/run/${run.id}`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    // Started: still computing, or already done when the test's small layout finishes first.
    expect(['computing', 'ready']).toContain(maps.status(runMapKey(run.id)).state);
  });

  it('is a 404 for a run that does not exist', async () => {
    const { app } = webApp();
    expect((await app.request('/maps/run/999')).status).toBe(404);
    const json = await app.request('/maps/run/999.json');
    expect(json.status).toBe(404);
    // A script fetched this URL for data, so the answer is JSON it can read, not a page (bug 13).
    expect(json.headers.get('content-type')).toContain('application/json');
    expect((await json.json()).error).toContain('999');
  });
});

describe('the dataset page', () => {
  it('shows class balance, crossed-seven prevalence in both splits and the mean images', async () => {
    const { app } = webApp();
    expect((await app.request('/dataset')).status).toBe(200);
    const html = await datasetPageWithFacts(app);
    expect(html).toContain('<a href="/dataset">Dataset</a>');
    expect(html).toContain('6,265');
    expect(html).toMatch(/of 6,265 sevens are crossed, <strong class="prevalence">\d+\.\d%<\/strong>/);
    expect(html).toMatch(/of 1,028 sevens are crossed/);
    expect(html.match(/alt="mean train image of \d"/g)).toHaveLength(10);
    expect(html).toContain('hx-get="/maps/pixels"');
  });
});

import { Hono } from 'hono';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../db/client.ts';
import { ExplainThread } from '../../../src/analysis/explain/explain-in-thread.ts';
import { MapJobs } from '../../../src/analysis/maps/map-jobs.ts';
import { RunAnalyses } from '../../../src/analysis/run-analyses/run-analyses.ts';
import { ModelJobs } from '../../../src/analysis/model-jobs/model-jobs.ts';
import { compareRuns } from '../../../src/analysis/compare/run-comparison.ts';
import { executeRun } from '../../../src/training/experiment.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { RunQueue } from '../../../src/execution/queue.ts';
import { CompletedRunMemo } from '../../../src/web/completed-run-memo.ts';
import { compareRoutes } from '../../../src/web/compare/routes.tsx';
import { handleError, handleNotFound } from '../../../src/web/errors.tsx';
import { DatasetImages, TestImages } from '../../../src/web/test-images.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { runningRun } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../../analysis/fake-runs.ts';
import { storeOn } from '../../../src/store/open-store.ts';

const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-compare-page-')), 'runs.sqlite');
let db: Db;
let ids: number[];

function app(): Hono {
  const app = new Hono();
  app.onError(handleError);
  app.notFound(handleNotFound);
  const images = new TestImages(() => loadMnist('test', { limit: 500 }));
  const trainImages = new TestImages(() => loadMnist('train', { limit: 500 }));
  const deps = { ...storeOn(db), queue: new RunQueue(storeOn(db)), images, trainImages, datasets: new DatasetImages(db, { test: images, train: trainImages }), jobs: new ModelJobs(db) };
  app.route('/', compareRoutes({ ...deps, maps: new MapJobs(db), analyses: new RunAnalyses(db, () => images.labels), explainer: new ExplainThread(db), galleries: new CompletedRunMemo(1), pairImages: new CompletedRunMemo(1), collapses: new CompletedRunMemo(1) }));
  return app;
}

const get = async (url: string) => {
  const response = await app().request(url);
  return { status: response.status, html: await response.text() };
};

/** The test-image indices of the thumbnails between two headings of the page. */
function thumbnailIndices(html: string, from: string, to: string): number[] {
  const section = html.slice(html.indexOf(from), to ? html.indexOf(to) : undefined);
  return [...section.matchAll(/data-index="(\d+)"/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  db = openDb(dbFile);
  ids = [];
  for (const seed of [11, 12]) {
    const run = await executeRun(storeOn(db), runningRun(db, { seed }).id, { backend: 'wasm' });
    expect(run.status, run.error ?? '').toBe('completed');
    ids.push(run.id);
  }
});

describe('the comparison page', () => {
  it('lets A be swapped with B in the URL, keeps the chart view, and draws loss on a log scale and accuracy in percent', async () => {
    const [a, b] = ids as [number, number];
    const { html } = await get(`/compare?runs=${a},${b}&log=1`);
    expect(html).toContain(`<a href="/compare?runs=${b},${a}&amp;log=1">swap A and B</a>`);
    expect(html).toMatch(new RegExp(`<a href="/runs/${a}">A: run ${a}</a>`));
    const swapped = await get(`/compare?runs=${b},${a}&log=1`);
    expect(swapped.html).toMatch(new RegExp(`<a href="/runs/${b}">A: run ${b}</a>`));
    expect(swapped.html).toMatch(new RegExp(`<a href="/runs/${a}">B: run ${a}</a>`));
    // The view form keeps the runs (in their order) and shows the log box ticked.
    expect(swapped.html).toContain(`<input type="hidden" name="runs" value="${b},${a}"/>`);
    expect(swapped.html).toMatch(/<input type="checkbox" name="log" value="1" checked=""\/>/);
    const curves = swapped.html.slice(swapped.html.indexOf('<section id="curves"'), swapped.html.indexOf('</section>', swapped.html.indexOf('<section id="curves"')));
    expect(curves).toContain('aria-label="validation loss (log scale)"');
    expect(curves).toContain('aria-label="validation accuracy"');
    expect(curves).toMatch(new RegExp(`\nrun ${b}: \\d+\\.\\d\\d%`));
  });

  it('agrees with compare --json: verdict, fixed and broken images, accuracy difference', async () => {
    const cli = (await runCliCaptured(['compare', String(ids[0]), String(ids[1]), '--json', '--db', dbFile])).lastJson();
    const { status, html } = await get(`/compare?runs=${ids.join(',')}`);
    expect(status).toBe(200);
    expect(html).toContain(`${cli.verdict.replaceAll("'", '&#39;')}.`);
    const points = (cli.accuracyDelta * 100).toFixed(2);
    expect(html).toContain(`accuracy difference <span class="accuracy-delta">${cli.accuracyDelta >= 0 ? '+' : ''}${points}</span>`);
    expect(html).toContain(`Fixed: wrong in A, right in B (${cli.fixed.length})`);
    expect(thumbnailIndices(html, 'Fixed: wrong in A', 'Broken: right in A')).toEqual(cli.fixed.slice(0, 120));
    expect(thumbnailIndices(html, 'Broken: right in A', '<section class="ab-why">')).toEqual(cli.broken.slice(0, 120));
  });

  it('serves the same JSON as compare --json at /api/compare, and refusals as JSON errors', async () => {
    const cli = (await runCliCaptured(['compare', String(ids[0]), String(ids[1]), '--json', '--db', dbFile])).lastJson();
    const response = await app().request(`/api/compare?a=${ids[0]}&b=${ids[1]}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(cli);
    const other = runningRun(db, { testLimit: 100 });
    completeWithoutTraining(db, other, { images: 100 });
    const refused = await app().request(`/api/compare?a=${ids[0]}&b=${other.id}`);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatch(/different test sets/);
  });

  it('shows the differing hyperparameters, overlaid curves in one colour per run, and a clickable confusion difference', async () => {
    const { html } = await get(`/compare?runs=${ids.join(',')}`);
    expect(html).toMatch(/Only those that differ \(1 of \d+\)/);
    expect(html).toMatch(/<th>Seed<\/th><td class="num">11<\/td><td class="num">12<\/td>/);
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('data-label="run 1"');
    expect(html).toContain('data-label="run 2"');
    expect(html).toMatch(/hx-get="\/compare\/cell\?a=1&amp;b=2&amp;true=\d&amp;predicted=\d"/);
    const all = await get(`/compare/params?runs=${ids.join(',')}&all=1`);
    expect(all.html).toMatch(/<th>Learning rate<\/th>/);
    expect(all.html).not.toContain('<html');
  });

  it('lists the images that moved into and out of a confusion cell', async () => {
    const comparison = compareRuns(db, ids[0]!, ids[1]!);
    const cell = comparison.cells.find((c) => c.into.length > 0 && c.outOf.length > 0) ?? comparison.cells[0]!;
    const { status, html } = await get(`/compare/cell?a=${ids[0]}&b=${ids[1]}&true=${cell.trueLabel}&predicted=${cell.predicted}`);
    expect(status).toBe(200);
    expect(html).toContain(`Moved in under B (${cell.into.length})`);
    expect(thumbnailIndices(html, 'Moved in under B', 'Moved out under B')).toEqual(cell.into);
    expect(thumbnailIndices(html, 'Moved out under B', '')).toEqual(cell.outOf);
  });

  it('groups runs that differ only in seed, with mean and sd', async () => {
    const { html } = await get(`/compare?runs=${ids.join(',')}`);
    expect(html).toContain('<h2>Seed groups</h2>');
    expect(html).toContain('runs 1, 2 (mean ± sd)');
  });

  it('refuses, in words, to compare runs tested on different test sets', async () => {
    const other = runningRun(db, { testLimit: 200 });
    completeWithoutTraining(db, other, { images: 200 });
    const { status, html } = await get(`/compare?runs=${ids[0]},${other.id}`);
    expect(status).toBe(200);
    expect(html).toMatch(/<p class="refused">runs 1 and \d+ were tested on different test sets/);
    const cell = await get(`/compare/cell?a=${ids[0]}&b=${other.id}&true=1&predicted=1`);
    expect(cell.status).toBe(400);
  });

  it.each([
    ['/compare?runs=1', 400, /runs must list 2 to 8 run ids/],
    ['/compare?runs=1,x', 400, /runs must list 2 to 8 run ids/],
    ['/compare?runs=1,999', 404, /no run with id 999/],
    ['/compare/cell?a=1&b=2&true=10&predicted=1', 400, /true must be a whole number from 0 to 9/],
  ])('answers %s with %i and a readable page', async (url, code, message) => {
    const { status, html } = await get(url);
    expect(status).toBe(code);
    expect(html).toMatch(message);
    expect(html).not.toMatch(/at .*\.ts:\d+/);
  });
});

import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCalibration } from '../../src/analysis/calibration/run-calibration.ts';
import { TRANSFORM_NAMES } from '../../src/analysis/robustness/transforms.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { createRun, type Run } from '../../src/store/store.ts';
import { percent } from '../../src/web/format.ts';
import { smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

/** One small model for the file (2,000 images, 1 epoch, 200 test images), behind one app. */
const TEST_COUNT = 200;
const { db, app, jobs, images } = webApp();
let run: Run;

beforeAll(async () => {
  const created = createRun(db, { name: 'why views', params: smallRunParams({ testLimit: TEST_COUNT, seed: 3 }), status: 'running' });
  run = await executeRun(storeOn(db), created.id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
});

const html = async (path: string, init?: RequestInit) => {
  const response = await app.request(path, init);
  return { status: response.status, body: await response.text() };
};

describe('run page: calibration', () => {
  it('loads the calibration and robustness after the page', async () => {
    const page = await html(`/runs/${run.id}`);
    expect(page.body).toContain(`hx-get="/runs/${run.id}/calibration"`);
    expect(page.body).toContain(`hx-get="/runs/${run.id}/robustness"`);
  });

  it('shows the ECE and MCE of the stored predictions, a bar per non-empty bin with its count, and the slices', async () => {
    const report = runCalibration(db, run, loadMnist('test', { limit: TEST_COUNT }))!;
    const { body, status } = await html(`/runs/${run.id}/calibration`);
    expect(status).toBe(200);
    expect(body).toContain(`ECE ${percent(report.raw.ece)}`);
    expect(body).toContain(`maximum calibration error ${percent(report.raw.mce)}`);
    const filled = report.raw.bins.filter((b) => b.count > 0);
    expect(body.match(/<g class="bin">/g)).toHaveLength(filled.length);
    for (const bin of filled) expect(body).toContain(`: ${bin.count} images, accuracy`);
    expect(body).toContain('crossed sevens');
    expect(body).toContain(`wrong at 99% or more (${report.overconfident.length})`);
    expect(body).toContain(`--fit`);
  });
});

describe('run page: robustness', () => {
  it('offers to compute, shows progress from the worker while it runs, then one chart per transform', async () => {
    expect((await html(`/runs/${run.id}/robustness`)).body).toContain(`hx-post="/runs/${run.id}/robustness"`);
    const started = await html(`/runs/${run.id}/robustness`, { method: 'POST', headers: { Origin: 'http://localhost' } });
    expect(started.status).toBe(200);
    expect(started.body).toContain('role="progressbar"');
    // It polls itself while computing.
    expect(started.body).toContain(`hx-get="/runs/${run.id}/robustness" hx-trigger="load delay:2s"`);
    const done = await jobs.robustness(run); // shares the computation the POST started
    const { body } = await html(`/runs/${run.id}/robustness`);
    expect(body).not.toContain('progressbar');
    expect(body.match(/<figure class="chart">/g)).toHaveLength(TRANSFORM_NAMES.length);
    for (const curve of done.curves) expect(body).toContain(`aria-label="${curve.name}"`);
    expect(body).toContain(`on ${TEST_COUNT} test images`);
  });

  it('says why a run without a model has none', async () => {
    const bare = recordCompletedRun(db, loadMnist('test', { limit: TEST_COUNT }).labels);
    const { body } = await html(`/runs/${bare.id}/robustness`);
    expect(body).toContain('No robustness curves');
    expect(body).not.toContain('hx-post');
  });
});

describe('gallery overlay toggle', () => {
  it('puts a toggle on the misclassified gallery and each tile names its map, which is a PNG overlay', async () => {
    const { body } = await html(`/runs/${run.id}/gallery?page=1`);
    expect(body).toContain('class="attribution-toggle" data-target="#misclassified"');
    const urls = [...body.matchAll(/data-overlay="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
    expect(urls.length).toBeGreaterThan(0);
    const response = await app.request(urls[0]!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    expect(png.width).toBe(28);
    // The script that lays the maps over the tiles is served from /static, as the CSP requires.
    expect((await html('/static/overlay-toggle.js')).body).toContain('attribution-toggle');
  });
});

describe('compare: calibration difference and A-vs-B maps', () => {
  it('gives the ECE difference with its interval and, for fixed and broken images, A and B maps side by side', async () => {
    // Two recorded runs: the ECE difference reads only their stored probabilities, and the maps are URLs.
    const labels = images.labels.subarray(0, TEST_COUNT);
    const [first, other] = [recordCompletedRun(db, labels, { accuracy: 0.9, seed: 7 }), recordCompletedRun(db, labels, { accuracy: 0.7, seed: 8 })];
    const { body, status } = await html(`/compare?runs=${first.id},${other.id}`);
    expect(status).toBe(200);
    expect(body).toMatch(/expected calibration error of B minus A <span class="ece-delta">[+-]\d+\.\d\d<\/span> points \(95% paired bootstrap interval/);
    const rows = [...body.matchAll(/<li class="ab-row" data-index="(\d+)">/g)];
    expect(rows.length).toBeGreaterThan(0);
    const index = rows[0]![1];
    expect(body).toContain(`/runs/${first.id}/explain/test/${index}.png?method=ig`);
    expect(body).toContain(`/runs/${other.id}/explain/test/${index}.png?method=ig`);
  });
});

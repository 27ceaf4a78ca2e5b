import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { createRun } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';
import { storeOn } from '../../src/store/open-store.ts';

const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-e2e-why-')), 'runs.sqlite');
let runId = 0;

describe.skipIf(skipE2e)('the why panel in a real browser', () => {
  // Registered before the session's own: the server opens a store that already holds a trained model.
  beforeAll(async () => {
    const db = openDb(dbFile);
    const created = createRun(db, { name: 'e2e why', params: smallRunParams({ testLimit: 100, seed: 4 }), status: 'running' });
    const run = await executeRun(storeOn(db), created.id, { backend: 'wasm' });
    expect(run.status, run.error ?? '').toBe('completed');
    runId = run.id;
    db.$client.close();
  });
  const session = browserSession({ db: dbFile });

  it('lays the map over the test image with its legend, and switches to occlusion', async () => {
    const { page, base } = session;
    await page.goto(`${base}/images/test/0?run=${runId}`);
    const overlay = page.locator('#why .attribution img.overlay');
    await overlay.waitFor({ timeout: 60_000 });
    // The overlay PNG loaded under the CSP and is drawn over the image, at its size.
    await expect.poll(() => overlay.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 30_000 }).toBe(28);
    const [under, over] = [await page.locator('#why .attribution img').first().boundingBox(), await overlay.boundingBox()];
    expect(over).toEqual(under);
    expect(await page.locator('#why .attribution-legend').textContent()).toMatch(/against \d.*for \d/);
    await page.click('#why button:has-text("occlusion")');
    await page.locator('#why button[aria-pressed="true"]:has-text("occlusion")').waitFor({ timeout: 60_000 });
    expect(await page.locator('#why img.overlay').getAttribute('src')).toContain('method=occlusion');
  });

  it('computes the robustness curves from the run page with progress, plots them, and shows the images at a strength on hover', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs/${runId}`);
    const compute = page.locator('#robustness button:has-text("Compute robustness curves")');
    await compute.waitFor({ timeout: 60_000 });
    await compute.click();
    // The worker starts; the section shows its progress and polls until the curves are stored.
    await page.locator('#robustness [role="progressbar"]').waitFor({ timeout: 30_000 });
    const charts = page.locator('#robustness figure.chart');
    await charts.first().waitFor({ timeout: 120_000 });
    expect(await charts.count()).toBe(7);
    expect(await page.locator('#robustness [role="progressbar"]').count()).toBe(0);
    // The rotation chart: its last point (the strongest rotation) hides its images until pointed at.
    const rotation = page.locator('#robustness figure.chart svg[aria-label="rotate"]');
    expect(await rotation.locator('g.hover-column').count()).toBe(5);
    const strongest = rotation.locator('g.hover-column').last();
    const strip = strongest.locator('image.tip-images');
    expect(await strip.isVisible()).toBe(false);
    await strongest.locator('rect.hover-target').hover();
    await expect.poll(() => strip.isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await strongest.locator('text.readout').textContent()).toMatch(/° 60run \d+: \d+\.\d\d%/);
    const box = await strip.boundingBox();
    expect(box!.width).toBeGreaterThan(50);
  });
});

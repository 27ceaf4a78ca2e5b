import { describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { saveMap, runMapKey } from '../../src/analysis/maps/map-store.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { seededRandom } from '../../src/core/random.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

const TEST_IMAGES = 400;

/** What the run page shows of the view a person picked: the cell's gallery, the mistakes' page, the map's colouring. */
async function viewOf(page: Page) {
  await page.locator('.umap-scatter[data-ready="drawn"]').waitFor({ timeout: 60_000 });
  return {
    url: new URL(page.url()).search,
    cell: (await page.locator('#cell-gallery h3').count()) ? (await page.locator('#cell-gallery h3').textContent())!.replace(/\s+·.*/s, '').trim() : undefined,
    mistakesPage: (await page.locator('#misclassified .pager span').first().textContent())?.replace(/\s+/g, ' ').trim(),
    colour: await page.locator('select[name=colour]').inputValue(),
    legend: (await page.locator('.umap-legend:visible').textContent())?.includes('crossed seven') ? 'slice' : 'label',
  };
}

describe.skipIf(skipE2e)('the run page view in the URL', () => {
  const session = browserSession({
    prepare: (db) => {
      const { labels } = loadMnist('test', { limit: TEST_IMAGES });
      // Half wrong: about 200 mistakes, four pages of them.
      const run = recordCompletedRun(db, labels, { seed: 3, epochs: 2, accuracy: 0.5 });
      const random = seededRandom(5);
      const coordinates = Float32Array.from({ length: 2 * TEST_IMAGES }, () => random());
      saveMap(db, { key: runMapKey(run.id), count: TEST_IMAGES, seed: 1, coordinates, seconds: 0.1 });
    },
  });

  it('keeps the chosen cell, the gallery page and the map colouring over a reload, and Back steps through them', async () => {
    const { page, base } = session;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/runs/1`, { waitUntil: 'load' });
    const start = await viewOf(page);
    expect(start).toMatchObject({ url: '', cell: undefined, mistakesPage: 'page 1 of 4', colour: 'label', legend: 'label' });

    // A cell off the diagonal with images: its gallery replaces the placeholder.
    const cell = page.locator('table.matrix td:not(.diag) button').first();
    const [label, predicted] = (await cell.getAttribute('data-cell'))!.split('-');
    await cell.click();
    await page.waitForURL(new RegExp(`\\?cell=${label}-${predicted}$`));
    await page.locator('#misclassified button:has-text("next →")').first().click();
    await page.waitForURL(/&page=2$/);
    await page.locator('#misclassified .pager span:has-text("page 2 of 4")').first().waitFor();
    await page.locator('select[name=colour]').selectOption('slice');
    await page.waitForURL(/&colour=slice$/);

    const chosen = { url: `?cell=${label}-${predicted}&page=2&colour=slice`, cell: `True ${label}, predicted ${predicted}`, mistakesPage: 'page 2 of 4', colour: 'slice', legend: 'slice' };
    expect(await viewOf(page)).toEqual(chosen);
    await page.reload({ waitUntil: 'load' });
    expect(await viewOf(page)).toEqual(chosen);

    // Since the reload htmx has no snapshot of the first page Back goes to, so it fetches it. Hold
    // that fetch until the second Back has restored its snapshot, as a busy machine would, and let
    // it answer then: the older page must not replace the one the second Back showed.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const restoreFetchEnded = new Promise<void>((resolve) => {
      const ended = (request: Request) => request.headers()['hx-history-restore-request'] && resolve();
      page.on('requestfinished', ended);
      page.on('requestfailed', ended);
    });
    await page.route(/\/runs\/1\?/, async (route) => {
      if (route.request().headers()['hx-history-restore-request']) await held;
      // The page may have cancelled the request meanwhile; then there is nothing to continue.
      await route.continue().catch(() => {});
    });

    // Back undoes one choice at a time: the colouring, then the page, then the cell.
    await page.goBack();
    await page.waitForURL(/&page=2$/);
    expect(await viewOf(page)).toMatchObject({ colour: 'label', legend: 'label', mistakesPage: 'page 2 of 4' });
    await page.goBack();
    await page.waitForURL(new RegExp(`\\?cell=${label}-${predicted}$`));
    const afterSecondBack = { cell: chosen.cell, mistakesPage: 'page 1 of 4', colour: 'label' };
    expect(await viewOf(page)).toMatchObject(afterSecondBack);
    release();
    await restoreFetchEnded;
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await viewOf(page)).toMatchObject(afterSecondBack);
    await page.unrouteAll();
    await page.goBack();
    await page.waitForURL(/\/runs\/1$/);
    expect(await viewOf(page)).toMatchObject({ cell: undefined, mistakesPage: 'page 1 of 4' });
  }, 120_000);
});

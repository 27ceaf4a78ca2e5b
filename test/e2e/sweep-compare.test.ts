import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('a sweep and a comparison in a real browser', () => {
  const session = browserSession();

  it('launches a 6-run sweep from the form and watches its table and plot fill in without a reload', async () => {
    const { page, base } = session;
    await page.goto(`${base}/sweeps`);
    await page.fill('input[name=learning-rate]', '0.001,0.003,0.01');
    await page.fill('input[name=seeds]', '2');
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=train-limit]', '500');
    await page.fill('input[name=test-limit]', '200');
    await page.fill('input[name=name]', 'e2e sweep');
    await Promise.all([page.waitForURL(/\/sweeps\/1$/), page.click('button:has-text("Queue the sweep")')]);
    expect(await page.locator('h1').textContent()).toBe('Sweep 1: e2e sweep');

    // Marks this document: if the page reloaded to show the results, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));
    await page.locator('#sweep-results[data-finished="true"]').waitFor({ timeout: 110_000 });
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(1);
    expect(await page.locator('#sweep-results').textContent()).toContain('6 completed');
    const rows = page.locator('table.sweep-table tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.first().locator('td').first().textContent()).toBe('0.001');
    expect(await rows.first().textContent()).toMatch(/\d+\.\d\d% ± \d+\.\d\d%/);
    const plot = page.locator('svg[aria-label="test accuracy against learningRate"]');
    expect(await plot.count()).toBe(1);
    expect(await plot.locator('circle').count()).toBe(3);
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-sweep.png'), fullPage: true });
  }, 150_000);

  it("compares a grid point's two seeds: verdict, clickable confusion difference, fixed and broken images", async () => {
    const { page, base } = session;
    await page.goto(`${base}/sweeps/1`);
    await Promise.all([page.waitForURL(/\/compare\?runs=1,2$/), page.locator('a:has-text("compare seeds")').first().click()]);
    // Two seeds of one grid point are one recipe: the page reports their spread, not a verdict on settings.
    expect(await page.locator('.verdict').textContent()).toMatch(/^A and B are the same recipe \(only the seed differs\), so there is no verdict on settings: .* over its 2 seeds this recipe's test accuracy is [\d.]+% ± [\d.]+ points\.$/);
    expect(await page.locator('#curves svg').count()).toBe(4);
    expect(await page.locator('#seed-groups').textContent()).toContain('runs 1, 2 (mean ± sd)');

    const cell = page.locator('table.confusion-difference button').first();
    await cell.click();
    await page.locator('#cell-images h3').waitFor();
    const moved = await page.locator('#cell-images li.tile img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((width) => width === 28)).toBe(true);

    const fixed = Number(/\((\d+)\)/.exec((await page.locator('h3:has-text("Fixed:")').textContent())!)![1]);
    const broken = Number(/\((\d+)\)/.exec((await page.locator('h3:has-text("Broken:")').textContent())!)![1]);
    const delta = Number((await page.locator('.accuracy-delta').textContent())!);
    expect(fixed - broken).toBe(Math.round((delta / 100) * 200));
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-compare.png'), fullPage: true });
  });
});

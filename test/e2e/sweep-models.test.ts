import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('a sweep over networks in a real browser', () => {
  const session = browserSession();

  it('launches two presets x 2 seeds from the form and shows their table and plot by preset name', async () => {
    const { page, base } = session;
    await page.goto(`${base}/sweeps`);
    await page.fill('input[name=model]', 'mlp,reference');
    await page.fill('input[name=seeds]', '2');
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=train-limit]', '300');
    await page.fill('input[name=test-limit]', '100');
    await page.fill('input[name=name]', 'e2e networks');
    await Promise.all([page.waitForURL(/\/sweeps\/1$/), page.click('button:has-text("Queue the sweep")')]);
    expect(await page.locator('h1').textContent()).toBe('Sweep 1: e2e networks');

    // Four tiny runs take seconds on a quiet machine; the long limit is for a loaded one.
    await page.locator('#sweep-results[data-finished="true"]').waitFor({ timeout: 280_000 });
    expect(await page.locator('#sweep-results').textContent()).toContain('4 completed');
    const rows = page.locator('table.sweep-table tbody tr');
    // One row per network, in the order given (named values are not sorted), each over its 2 seeds.
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(['mlp', 'reference']);
    for (const row of await rows.all()) expect(await row.textContent()).toMatch(/\d+\.\d\d% ± \d+\.\d\d%/);
    const plot = page.locator('svg[aria-label="test accuracy against model"]');
    expect(await plot.count()).toBe(1);
    expect(await plot.locator('circle').count()).toBe(2);
    expect(await plot.textContent()).toContain('reference');
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-sweep-models.png'), fullPage: true });
  }, 320_000);
});

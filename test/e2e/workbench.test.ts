import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('the workbench in a real browser', () => {
  const session = browserSession();

  it('launches a run from the form, watches it complete without a reload, and opens a confusion cell', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    // With no runs yet, the launch form is open.
    await page.fill('input[name=name]', 'e2e <script>alert(1)</script>');
    await page.fill('input[name=epochs]', '2');
    await page.fill('input[name=train-limit]', '600');
    await page.fill('input[name=test-limit]', '200');
    await page.fill('input[name=seed]', '1');
    await page.fill('textarea[name=tags]', 'purpose=e2e');
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Queue run")')]);
    expect(await page.locator('h1').textContent()).toContain('e2e <script>alert(1)</script>');

    // Marks this document: if the page reloaded to show the results, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 1));
    await page.locator('#live .badge-completed').waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(1);
    expect(await page.locator('#live .chart svg').count()).toBe(2);
    // One hover column per epoch and chart, reading out training and validation together.
    expect(await page.locator('#live .hover-column').count()).toBe(4);
    const column = page.locator('#live .hover-column').nth(1);
    await column.hover();
    expect(await column.locator('.readout').isVisible()).toBe(true);
    expect(await column.locator('.readout').textContent()).toMatch(/^Epoch 2training: \d\.\d{4}validation: \d\.\d{4}$/);
    // The record came along out of band: the engine is known now, though the page loaded before it was.
    expect(await page.locator('#record').textContent()).toMatch(/engine(wasm|node|cpu)/);
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-run.png'), fullPage: true });

    const cell = page.locator('table.matrix button[data-cell]').first();
    const [label, predicted] = (await cell.getAttribute('data-cell'))!.split('-');
    const count = Number(await cell.textContent());
    await cell.click();
    await page.locator('#cell-gallery .tile').first().waitFor();
    expect(await page.locator('#cell-gallery h3').textContent()).toContain(`True ${label}, predicted ${predicted}`);
    const shown = await page.locator('#cell-gallery .tile img').evaluateAll((imgs) =>
      imgs.map((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth),
    );
    expect(shown).toHaveLength(Math.min(count, 48));
    expect(shown.every((width) => width === 28)).toBe(true);

    // An image opened from a cell's gallery keeps the cell, so previous and next walk its images (issue 27, item 33).
    await Promise.all([page.waitForURL(new RegExp(`/images/test/\\d+\\?run=1&cell=${label}-${predicted}$`)), page.locator('#cell-gallery .tile a').first().click()]);
    const big = page.locator('.big-image img');
    await expect.poll(() => big.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(28);
    expect(await page.locator('body').textContent()).toContain('1 of 1 runs got it right');
  });

  it('lists the run with its scores', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    expect(await page.locator('tr#run-1 .badge-completed').count()).toBe(1);
    expect(await page.locator('tr#run-1').textContent()).toContain('purpose=e2e');
    await page.locator('#select-1').check();
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-runs.png'), fullPage: true });
    // Typing filters the table in place and puts the filter in the address bar.
    await page.fill('input[name=q]', 'no such run');
    await page.locator('#runs-table >> text=0 of 1 runs match').waitFor();
    expect(new URL(page.url()).searchParams.get('q')).toBe('no such run');
  });
});

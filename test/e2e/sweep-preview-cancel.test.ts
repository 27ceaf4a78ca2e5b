import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('the sweep preview and cancel in a real browser', () => {
  const session = browserSession();

  it('redraws the grid preview as fields change, then cancels the queued runs and stops the running one', async () => {
    const { page, base } = session;
    const errors: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${base}/sweeps`);
    const preview = page.locator('#sweep-preview');
    expect(await preview.textContent()).toContain('1 run (1 seed)');
    await page.fill('input[name=learning-rate]', '0.001,0.003');
    await page.fill('input[name=batch-size]', '32,64');
    await page.locator('#sweep-preview:has-text("4 runs")').waitFor({ timeout: 10_000 });
    expect(await preview.textContent()).toContain('4 runs (2 batchSize values × 2 learningRate values × 1 seed)');
    // Nothing has completed on this fresh store, and the preview says so rather than guessing.
    expect(await preview.textContent()).toContain('No reference run has completed on this machine yet');
    await page.fill('input[name=seeds]', '0');
    await page.locator('#sweep-preview:has-text("Nothing would be queued yet")').waitFor({ timeout: 10_000 });
    await page.fill('input[name=seeds]', '1');
    await page.fill('input[name=epochs]', '3');
    await page.fill('input[name=train-limit]', '5000');
    await page.fill('input[name=test-limit]', '200');
    await Promise.all([page.waitForURL(/\/sweeps\/1$/), page.click('button:has-text("Queue the sweep")')]);

    // The server starts the first run; cancel once it trains.
    await page.locator('#sweep-results:has-text("1 running")').waitFor({ timeout: 20_000 });
    await Promise.all([page.waitForURL(/\/sweeps\/1\/cancel$/), page.click('a:has-text("Cancel the sweep")')]);
    expect(await page.locator('main').textContent()).toContain('This cancels its 3 queued runs and stops its 1 running run');
    await page.click('button:has-text("Cancel sweep 1")');
    await page.locator('.notice').waitFor();
    expect(await page.locator('.notice').textContent()).toMatch(/^Sweep 1: cancelled 3 runs \(2, 3, 4\) that had not started; stopping 1 run \(1\) after the current batch\.$/);
    await page.locator('#sweep-results[data-finished="true"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('.sweep-status').textContent()).toBe('4 cancelled');
    expect(errors).toEqual([]);
  }, 60_000);
});

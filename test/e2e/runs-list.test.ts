import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/experiments/mnist.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

describe.skipIf(skipE2e)('the runs list in a real browser', () => {
  const session = browserSession({
    prepare: (db) => {
      const { labels } = loadMnist('test', { limit: 200 });
      recordCompletedRun(db, labels, { name: 'alpha', seed: 1, tags: { purpose: 'e2e' } });
      recordCompletedRun(db, labels, { name: 'beta', seed: 2 });
      recordCompletedRun(db, labels, { name: 'gamma', seed: 3, params: { learningRate: 0.01 } });
    },
  });

  it('keeps the filter controls in step with the URL after Back (bug 3)', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.fill('input[name=q]', 'alpha');
    await page.selectOption('select[name=status]', 'completed');
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('completed');
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('#runs-table a:has-text("alpha")')]);
    await page.goBack();
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    expect(await page.inputValue('input[name=q]')).toBe('alpha');
    expect(await page.inputValue('select[name=status]')).toBe('completed');

    // Back through the filter's own history entries: htmx restores its snapshot of the page.
    await page.goto(`${base}/runs`);
    await page.fill('input[name=q]', 'gamma');
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    await page.fill('input[name=q]', '');
    await page.locator('#runs-table p.muted', { hasText: /^3 runs$/ }).waitFor();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('gamma');
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    expect(await page.inputValue('input[name=q]')).toBe('gamma');
  });

  it('does not follow the disabled compare link from the keyboard (bug 9)', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.locator('#select-1').check();
    const link = page.locator('#compare-link');
    expect(await link.textContent()).toBe('Compare selected (1)');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(new URL(page.url()).pathname).toBe('/runs');
    await page.locator('#select-2').check();
    await Promise.all([page.waitForURL(/\/compare\?runs=/), link.press('Enter')]);
  });

  it('reruns a run from its page with its settings filled in, and deletes a run after asking', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs/3`);
    await Promise.all([page.waitForURL(/\/runs\?from=3/), page.click('a:has-text("Rerun with these settings")')]);
    expect(await page.locator('#launch').getAttribute('open')).not.toBeNull();
    expect(await page.inputValue('input[name=learning-rate]')).toBe('0.01');
    expect(await page.inputValue('input[name=seed]')).toBe('3');
    expect(await page.inputValue('input[name=test-limit]')).toBe('200');
    // Small enough to train in seconds; the rest stays as run 3 had it.
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=train-limit]', '300');
    await page.fill('input[name=test-limit]', '100');
    await Promise.all([page.waitForURL(/\/runs\/4$/), page.click('button:has-text("Queue run")')]);
    expect(await page.locator('main').textContent()).toContain('0.01');

    await page.goto(`${base}/runs/2`);
    await Promise.all([page.waitForURL(/\/runs\/2\/delete$/), page.click('a:has-text("Delete…")')]);
    expect(await page.locator('main').textContent()).toMatch(/beta\?[\s\S]*\(\d+(\.\d)? kB\)/);
    await Promise.all([page.waitForURL(/\/runs$/), page.click('button:has-text("Delete run 2")')]);
    expect(await page.locator('#run-2').count()).toBe(0);
    expect(await page.locator('#run-1').count()).toBe(1);
    expect((await page.goto(`${base}/runs/2`))?.status()).toBe(404);
  }, 120_000);
});

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
});

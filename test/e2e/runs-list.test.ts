import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
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

  it('filters by an expression and chosen columns, follows a tag, and Back puts every control back', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.fill('input[name=where]', 'lr>=0.005 acc>');
    await page.locator('#where-error', { hasText: "'acc>' is not a comparison" }).waitFor();
    await page.fill('input[name=where]', 'lr>=0.005');
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    expect(await page.locator('#where-error').textContent()).toBe('');
    await page.click('.column-chooser summary');
    await page.check('input[name=col][value=val_acc]');
    await page.uncheck('input[name=col][value=backend]');
    await page.locator('#runs-table th', { hasText: 'Val acc' }).waitFor();
    expect(await page.locator('#runs-table th', { hasText: 'Engine' }).count()).toBe(0);
    await expect.poll(() => new URL(page.url()).searchParams.getAll('col')).toContain('val_acc');
    // A tag click filters by it and keeps the chosen columns.
    await page.goto(`${base}/runs?col=val_acc&col=acc`);
    await Promise.all([page.waitForURL(/tag=purpose%3De2e/), page.click('#runs-table a.tag:has-text("purpose=e2e")')]);
    expect(await page.locator('#runs-table tbody tr').count()).toBe(1);
    expect(await page.inputValue('input[name=tag]')).toBe('purpose=e2e');
    await page.goBack();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('where')).toBe('lr>=0.005');
    await page.locator('#runs-table >> text=1 of 3 runs match').waitFor();
    expect(await page.inputValue('input[name=where]')).toBe('lr>=0.005');
    expect(await page.isChecked('input[name=col][value=val_acc]')).toBe(true);
    expect(await page.isChecked('input[name=col][value=backend]')).toBe(false);
    expect(await page.isChecked('input[name=col][value=acc]')).toBe(true);
  });

  it('archives a run after the browser asks, hides it, and shows it again on request', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs/1`);
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.click('button:has-text("Archive")');
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/^Archive run 1\? It stays whole/);
    expect(await page.locator('.archived-notice').count()).toBe(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Archive")')]);
    await page.locator('.archived-notice').waitFor();
    await page.goto(`${base}/runs`);
    expect(await page.locator('#run-1').count()).toBe(0);
    await page.check('input[name=archived]');
    await page.locator('#run-1.archived').waitFor();
    await page.goto(`${base}/runs/1`);
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Unarchive")')]);
    expect(await page.locator('.archived-notice').count()).toBe(0);
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

  it('makes the older of two ticked runs A, whatever order they are ticked or listed in, and says so (issue 27, item 37)', async () => {
    const { page, base } = session;
    for (const [query, ticks] of [['', ['#select-1', '#select-2']], ['?sort=id&dir=asc', ['#select-2', '#select-1']]] as const) {
      await page.goto(`${base}/runs${query}`);
      for (const box of ticks) await page.locator(box).check();
      expect(await page.locator('#compare-link').getAttribute('href')).toBe('/compare?runs=1,2');
      expect(await page.locator('#compare-order').textContent()).toBe('A is the oldest ticked, run 1');
    }
    await page.locator('#select-1').uncheck();
    expect(await page.locator('#compare-order').textContent()).toBe('');
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
    await Promise.all([page.waitForURL(/\/runs\?deleted=2$/), page.click('button:has-text("Delete run 2")')]);
    expect(await page.locator('.deleted-notice').textContent()).toBe('Run 2 was deleted, with its metrics, predictions and weights.');
    expect(await page.locator('#run-2').count()).toBe(0);
    expect(await page.locator('#run-1').count()).toBe(1);
    expect((await page.goto(`${base}/runs/2`))?.status()).toBe(404);
  }, 120_000);
});

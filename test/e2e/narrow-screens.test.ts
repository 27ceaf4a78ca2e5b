import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

/** The pages a person reaches from the top bar and from a run, with two finished runs to show. */
const PAGES = ['/runs', '/runs/1', '/compare?runs=1,2', '/dataset', '/images/test/3?run=1', '/sweeps', '/own-digits'];

/** Set DIGITLAB_SHOTS to a directory to keep a screenshot of every page at both widths. */
const shots = process.env.DIGITLAB_SHOTS;

describe.skipIf(skipE2e)('the main pages on a phone', () => {
  const session = browserSession({
    prepare: (db) => {
      const { labels } = loadMnist('test', { limit: 500 });
      recordCompletedRun(db, labels, { name: 'a long run name that a person typed to say what it is for', seed: 1, tags: { purpose: 'narrow-screen-check' } });
      recordCompletedRun(db, labels, { name: 'other', seed: 2, accuracy: 0.8, params: { learningRate: 0.01 } });
      // On all 10,000 test images, whose matrix holds four-digit counts.
      recordCompletedRun(db, loadMnist('test').labels, { name: 'full test set', seed: 3, accuracy: 0.99 });
    },
  });

  it('never scroll sideways at 390 px (bug 12)', async () => {
    const { page, base } = session;
    const wide: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      for (const url of PAGES) {
        await page.goto(`${base}${url}`, { waitUntil: 'load' });
        await page.waitForTimeout(300);
        if (shots) await page.screenshot({ path: path.join(shots, `${url.replace(/[^a-z0-9]+/gi, '_')}-${width}.png`), fullPage: true });
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width === 390 && scrollWidth > 390) wide.push(`${url}: ${scrollWidth} px`);
      }
    }
    expect(wide).toEqual([]);
  }, 120_000);

  it('fit the runs list in its card at 1280 and 390 px, test accuracy showing at both (issue 27, item 31)', async () => {
    const { page, base } = session;
    const problems: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto(`${base}/runs`, { waitUntil: 'load' });
      const seen = await page.locator('#runs-table').evaluate((card) => {
        const right = card.getBoundingClientRect().right;
        const headers = [...card.querySelectorAll('table.runs th')].filter((th) => th.getClientRects().length > 0);
        const table = card.querySelector('table.runs')!;
        return {
          shown: headers.map((th) => th.textContent!.trim()),
          past: headers.filter((th) => th.getBoundingClientRect().right > right).map((th) => th.textContent!.trim()),
          hidden: Math.max(card.scrollWidth - card.clientWidth, table.scrollWidth - table.clientWidth),
        };
      });
      if (!seen.shown.some((label) => label.startsWith('Test acc'))) problems.push(`${width}: no Test acc among ${seen.shown.join(', ')}`);
      if (seen.past.length > 0 || seen.hidden > 1) problems.push(`${width}: ${seen.past.join(', ')} past the card, ${seen.hidden} px hidden`);
    }
    expect(problems).toEqual([]);
  });

  it('fit the confusion matrix, the compare table and the sweep form at 390 px, without a scrollbar of their own', async () => {
    const { page, base } = session;
    await page.setViewportSize({ width: 390, height: 844 });
    const cramped: string[] = [];
    for (const [url, selector] of [['/runs/3', 'table.matrix'], ['/compare?runs=1,2', 'table.compare-metrics'], ['/sweeps', '#sweep-form']] as const) {
      await page.goto(`${base}${url}`, { waitUntil: 'load' });
      const sizes = await page.locator(selector).first().evaluate((el) => {
        // What scrolls is the element itself or (a table shown as a block) its own box.
        const inner = [el, ...el.querySelectorAll('*')].map((e) => e.scrollWidth - e.clientWidth);
        return { overflow: Math.max(...inner), right: el.getBoundingClientRect().right };
      });
      if (sizes.overflow > 1 || sizes.right > 390) cramped.push(`${url} ${selector}: ${sizes.overflow} px hidden, right edge at ${Math.round(sizes.right)}`);
    }
    expect(cramped).toEqual([]);
  }, 60_000);
});

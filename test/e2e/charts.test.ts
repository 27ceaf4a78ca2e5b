import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { loadMnist } from '../../src/data/mnist.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

/** The text a person can see in a chart: every rendered text element, hover readouts included. */
function visibleText(page: Page, chart: number): Promise<string> {
  return page.evaluate((n) => {
    const figure = document.querySelectorAll('figure.chart')[n]!;
    return [...figure.querySelectorAll('svg text')]
      .filter((el) => {
        const style = getComputedStyle(el);
        return style.display !== 'none' && style.visibility === 'visible' && (el as SVGTextElement).getBBox().width > 0;
      })
      .map((el) => el.textContent)
      .join(' | ');
  }, chart);
}

/** Where a point is on screen, scrolled into view: the mouse moves in viewport coordinates. */
async function centreOf(page: Page, selector: string) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = (await page.locator(selector).boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

describe.skipIf(skipE2e)('the run and compare charts', () => {
  const session = browserSession({
    prepare: (db) => {
      const { labels } = loadMnist('test', { limit: 300 });
      // Training and validation accuracy one point apart: their points overlap on the chart.
      recordCompletedRun(db, labels, { seed: 1, epochs: 3 });
      recordCompletedRun(db, labels, { seed: 2, epochs: 3, accuracy: 0.8 });
    },
  });

  it('read out every series at the hovered epoch, and nothing once the pointer leaves (bug 4)', async () => {
    const { page, base } = session;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/runs/1`, { waitUntil: 'load' });
    const [loss, accuracy] = [0, 1];
    const resting = await visibleText(page, loss);

    // Epoch 3's validation loss (0.6 / 3) is drawn just above its training loss (0.5 / 3).
    const validation = await centreOf(page, 'figure.chart >> nth=0 >> .series-val circle >> nth=2');
    await page.mouse.move(validation.x, validation.y);
    const hovered = await visibleText(page, loss);
    expect(hovered).toMatch(/validation[^|]*0\.2000/);
    expect(hovered).toMatch(/training[^|]*0\.1667/);
    expect(hovered).not.toContain('0.2500'); // epoch 2's values stay hidden

    // A click leaves nothing behind once the pointer moves off the chart.
    await page.mouse.click(validation.x, validation.y);
    await page.mouse.move(5, 5);
    expect(await visibleText(page, loss)).toBe(resting);

    // Overlapping points: both values read, whichever of the two the pointer is on.
    const overlapping = await centreOf(page, 'figure.chart >> nth=1 >> .series-train circle >> nth=2');
    await page.mouse.move(overlapping.x, overlapping.y);
    const both = await visibleText(page, accuracy);
    expect(both).toMatch(/training[^|]*\d+\.\d\d%/);
    expect(both).toMatch(/validation[^|]*\d+\.\d\d%/);
  }, 60_000);

  it('draw the four compare curves at one size, and read out every run at the hovered epoch (bug 8)', async () => {
    const { page, base } = session;
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${base}/compare?runs=1,2`, { waitUntil: 'load' });
      const widths = await page.locator('#curves figure.chart').evaluateAll((figures) => figures.map((f) => Math.round(f.getBoundingClientRect().width)));
      expect(widths).toHaveLength(4);
      expect(new Set(widths).size, `chart widths at ${width} px: ${widths.join(', ')}`).toBe(1);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    const chart = await page.locator('#curves figure.chart').first().evaluate((f) => [...document.querySelectorAll('figure.chart')].indexOf(f));
    const point = await centreOf(page, '#curves figure.chart >> nth=0 >> circle >> nth=1');
    await page.mouse.move(point.x, point.y);
    const hovered = await visibleText(page, chart);
    expect(hovered).toMatch(/run 1: \d+\.\d\d%/); // in the run page's units
    expect(hovered).toMatch(/run 2: \d+\.\d\d%/);
  }, 60_000);
});

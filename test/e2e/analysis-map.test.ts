import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

type Scatter = HTMLElement & { umapPixel: (i: number) => [number, number] };

describe.skipIf(skipE2e)('the embeddings map in a real browser', () => {
  const session = browserSession();

  it('computes the map of a finished run with a progress bar, then hovers a point for its image and clicks it open', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=train-limit]', '600');
    await page.fill('input[name=test-limit]', '300');
    await page.fill('input[name=seed]', '1');
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Queue run")')]);
    await page.locator('#live .badge-completed').waitFor({ timeout: 90_000 });
    // The analysis slot polls until the run completes; the map's progress bar polls until it is drawn.
    await page.locator('.umap-panel .progress, .umap-scatter').first().waitFor({ timeout: 30_000 });
    const scatter = page.locator('.umap-scatter[data-ready="drawn"]');
    await scatter.waitFor({ timeout: 90_000 });
    expect(await page.locator('.seven-slices table').count()).toBe(1);

    // The legend follows the colouring: the digits for true labels, crossed and plain for slices (bug 5).
    const legend = scatter.locator('.umap-legend:visible');
    expect(await legend.textContent()).toContain('■ 9');
    await scatter.locator('select[name=colour]').selectOption('slice');
    expect(await legend.count()).toBe(1);
    expect(await legend.textContent()).toContain('crossed seven');
    expect(await legend.textContent()).not.toContain('■ 9');
    await scatter.locator('select[name=colour]').selectOption('label');

    // Client coordinates: the canvas must be on screen for the mouse to reach it.
    await scatter.locator('canvas').evaluate((canvas) => canvas.scrollIntoView({ block: 'center' }));
    let [x, y] = await scatter.evaluate((box) => (box as Scatter).umapPixel(0));
    await page.mouse.move(x, y);
    const tip = page.locator('.umap-tip');
    await tip.waitFor({ state: 'visible' });
    const src = await tip.locator('img').getAttribute('src');
    const hovered = Number(/\/images\/test\/(\d+)\.png$/.exec(src ?? '')?.[1]);
    expect(Number.isInteger(hovered)).toBe(true);
    expect(await tip.textContent()).toContain(`image ${hovered} · label`);
    await expect.poll(() => tip.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(28);
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-map.png'), fullPage: true });

    // On a phone the map is the screen's width: the tips of the points at its right and bottom
    // edges stay on the screen and on the map (issue 27, item 35).
    await page.setViewportSize({ width: 390, height: 844 });
    await scatter.locator('canvas').evaluate((canvas) => canvas.scrollIntoView({ block: 'center' }));
    const outside: string[] = [];
    for (const edge of ['right', 'bottom'] as const) {
      const [ex, ey] = await scatter.evaluate((box, edge) => {
        const points: [number, number][] = [];
        for (let i = 0; ; i++) {
          const point = (box as Scatter).umapPixel(i);
          if (!Number.isFinite(point[0])) break;
          points.push(point);
        }
        return points.reduce((a, b) => ((edge === 'right' ? b[0] > a[0] : b[1] > a[1]) ? b : a));
      }, edge);
      await page.mouse.move(ex - 1, ey - 1);
      await tip.waitFor({ state: 'visible' });
      const [box, stage, screen] = await tip.evaluate((el) => [el.getBoundingClientRect(), el.parentElement!.getBoundingClientRect(), document.documentElement.clientWidth] as const);
      if (box.left < stage.left || box.right > Math.min(stage.right, screen) + 0.5 || box.bottom > stage.bottom + 0.5) {
        outside.push(`${edge}: tip ${Math.round(box.left)}-${Math.round(box.right)} x ${Math.round(box.top)}-${Math.round(box.bottom)}, map ${Math.round(stage.left)}-${Math.round(stage.right)} x ${Math.round(stage.top)}-${Math.round(stage.bottom)}`);
      }
      await page.mouse.move(0, 0);
    }
    expect(outside).toEqual([]);
    await page.setViewportSize({ width: 1300, height: 900 });
    await scatter.locator('canvas').evaluate((canvas) => canvas.scrollIntoView({ block: 'center' }));
    [x, y] = await scatter.evaluate((box) => (box as Scatter).umapPixel(0));
    await page.mouse.move(x, y);

    await Promise.all([page.waitForURL(new RegExp(`/images/test/${hovered}\\?run=1$`)), page.mouse.click(x, y)]);
    expect(await page.locator('.big-image figcaption').textContent()).toContain(`Test image ${hovered}`);
  }, 200_000);
});

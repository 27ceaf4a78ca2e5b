import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerDataset } from '../../src/data/datasets/catalogue.ts';
import { SHAPE_CLASSES, tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('a picture-folder dataset in a real browser', () => {
  // Four classes of pictures in torchvision's folder layout, registered before the server opens the store.
  const session = browserSession({ prepare: (db) => registerDataset(db, 'shapes', writePictureFolder(tempDir('e2e-shapes'), 12)) });

  it('trains on it from the launch form, shows a 4x4 matrix by class name, and opens a cell’s images', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.selectOption('select[name=dataset]', 'shapes');
    await page.fill('input[name=epochs]', '3');
    await page.fill('input[name=seed]', '1');
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Queue run")')]);
    await page.locator('#live .badge-completed').waitFor({ timeout: 90_000 });
    // Its limits are the dataset's, not MNIST's 60,000 and 10,000.
    expect(await page.locator('.card').first().textContent()).toMatch(/Train limitall/);

    // Four classes: sixteen cells, and the axes read the folder names, not digits.
    const cells = page.locator('table.matrix button[data-cell]');
    await cells.first().waitFor();
    const matrix = (await page.locator('table.matrix').textContent())!;
    for (const name of SHAPE_CLASSES) expect(matrix).toContain(name);
    const labelled = await cells.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-cell')!));
    expect(new Set(labelled.map((cell) => cell.split('-')[0])).size).toBeLessThanOrEqual(4);
    expect(labelled.every((cell) => cell.split('-').every((c) => Number(c) >= 0 && Number(c) < 4))).toBe(true);

    const cell = cells.first();
    const [label] = (await cell.getAttribute('data-cell'))!.split('-').map(Number);
    const count = Number(await cell.textContent());
    await cell.click();
    await page.locator('#cell-gallery .tile').first().waitFor();
    expect(await page.locator('#cell-gallery h3').textContent()).toContain(SHAPE_CLASSES[label!]);
    const shown = await page.locator('#cell-gallery .tile img').evaluateAll((imgs) =>
      imgs.map((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth),
    );
    expect(shown).toHaveLength(count);
    expect(shown.every((width) => width === 28)).toBe(true);
    await page.screenshot({ path: path.join(os.tmpdir(), 'digitlab-e2e-shapes.png'), fullPage: true });

    // The image page shows the folder's picture, as the dataset holds it.
    await Promise.all([page.waitForURL(/\/images\/test\/\d+\?run=1/), page.locator('#cell-gallery .tile a').first().click()]);
    await expect.poll(() => page.locator('.big-image img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(28);
    expect(await page.locator('body').textContent()).toContain(SHAPE_CLASSES[label!]);
  });
});

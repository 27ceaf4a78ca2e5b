import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

const PHOTO = path.resolve('test/fixtures/own-digits/00-0-paper-edge.png');

describe.skipIf(skipE2e)('own digits in a real browser', () => {
  const session = browserSession();

  it('reads a drawing made after an upload, not the old file (bug 1)', async () => {
    const { page, base } = session;
    await page.goto(`${base}/own-digits`);
    await page.setInputFiles('input[name=file]', PHOTO);
    await page.click('button:has-text("Read it")');
    await page.locator('#reading .reading-of:text-is("00-0-paper-edge.png")').waitFor();

    const box = (await page.locator('#digit-canvas').boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 40);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 240, { steps: 8 });
    await page.mouse.up();
    await page.click('button:has-text("Read it")');
    await page.locator('#reading .reading-of:text-is("drawing")').waitFor();

    // And the other way round: a file chosen after a drawing is what is read.
    await page.setInputFiles('input[name=file]', PHOTO);
    await page.click('button:has-text("Read it")');
    await page.locator('#reading .reading-of:text-is("00-0-paper-edge.png")').waitFor();
  });

  it('clears an earlier error banner when a later request succeeds (bug 7)', async () => {
    const { page, base } = session;
    await page.goto(`${base}/own-digits`);
    await page.click('button:has-text("Read it")');
    await page.locator('#flash >> text=draw a digit or choose a PNG or JPEG file first').waitFor();
    await page.setInputFiles('input[name=file]', PHOTO);
    await page.click('button:has-text("Read it")');
    await page.locator('#reading .reading-of:text-is("00-0-paper-edge.png")').waitFor();
    expect((await page.locator('#flash').textContent())!.trim()).toBe('');
  });
});

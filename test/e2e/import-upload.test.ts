import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

/** A small CNN trained and exported by PyTorch (bench/torch_export_onnx.py --model small): NCHW input, logits out. */
const TORCH_ONNX = path.resolve('test/fixtures/imported/torch-small-cnn.onnx');

describe.skipIf(skipE2e)('importing a model in a real browser', () => {
  const session = browserSession();

  it('shows a bad file’s reason beside the form, keeping the chosen file and name', async () => {
    const { page, base } = session;
    const junk = path.join(os.tmpdir(), 'digitlab-e2e-junk.onnx');
    writeFileSync(junk, 'not a model');
    await page.goto(`${base}/runs`);
    await page.click('#import summary');
    await page.setInputFiles('#import input[name=file]', junk);
    await page.fill('#import input[name=name]', 'kept');
    await page.click('#import button:has-text("Import")');
    await page.locator('#import-error', { hasText: /Nothing was imported: .*not an ONNX model/ }).waitFor();
    expect(await page.inputValue('#import input[name=name]')).toBe('kept');
    expect(await page.locator('#import input[name=file]').evaluate((input: HTMLInputElement) => input.files?.[0]?.name)).toBe('digitlab-e2e-junk.onnx');
  });

  it('uploads a PyTorch ONNX file and lands on its run page', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.click('#import summary');
    await page.setInputFiles('#import input[name=file]', TORCH_ONNX);
    await page.fill('#import input[name=name]', 'pytorch small');
    await page.click('#import button:has-text("Import")');
    // htmx follows HX-Redirect by setting the location; the run page's card says the import is done.
    await page.locator('h2:has-text("Imported model")').waitFor({ timeout: 60_000 });
    expect(page.url()).toMatch(/\/runs\/\d+$/);
    expect(await page.locator('h1').textContent()).toMatch(/pytorch small/);
    expect(await page.locator('.record').first().textContent()).toMatch(/\[-1,1,28,28\] \(NCHW\)/);
    await page.locator('.confusion, table').first().waitFor();
    await page.goto(`${base}/runs`);
    await page.locator('#runs-table .badge-imported').waitFor();
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

describe.skipIf(skipE2e)('launching another network from the form in a real browser', () => {
  const session = browserSession();

  it('shows the chosen preset and a typed spec as they change, then trains the preset with its recipe', async () => {
    const { page, base } = session;
    await page.goto(`${base}/runs`);
    await page.selectOption('select[name=model]', 'lenet5');
    await expect.poll(() => page.locator('#model-check').textContent()).toContain('lenet5: 61,706 parameters');
    // A spec typed into the editor is checked as it is typed, with the layer at fault named.
    await page.selectOption('select[name=model]', 'custom');
    await page.fill('textarea[name=spec]', '{"layers":[{"type":"dense","units":10,"activation":"softmax"}]}');
    await expect.poll(() => page.locator('#model-check').textContent()).toContain('layers[0] (dense): needs a flat input');
    await page.selectOption('select[name=model]', 'reference-dropout');
    await page.selectOption('select[name=optimizer]', 'adamw');
    await page.fill('input[name=weight-decay]', '0.01');
    await page.fill('input[name=augment]', 'shift=1,rotate=5');
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=train-limit]', '1000');
    await page.fill('input[name=test-limit]', '200');
    await page.fill('input[name=seed]', '2');
    await Promise.all([page.waitForURL(/\/runs\/1$/), page.click('button:has-text("Queue run")')]);
    expect(await page.locator('h1').textContent()).toContain('reference-dropout-e1-');
    expect(await page.locator('#record').textContent()).toContain('Model: reference-dropout');
    await page.locator('#live .badge-completed, #live .badge-failed').waitFor({ timeout: 200_000 });
    expect(await page.locator('#live .badge-completed').count()).toBe(1);
    // Trained, not guessed: above the 10% of chance after one epoch on 800 images.
    const accuracy = Number(/(\d+\.\d\d)%/.exec((await page.locator('#live').textContent())!)![1]);
    expect(accuracy).toBeGreaterThan(15);
    expect(await page.locator('pre.command').textContent()).toContain('--model reference-dropout --optimizer adamw --weight-decay 0.01 --augment shift=1,rotate=5');
    expect(await page.locator('.augment-strip img').count()).toBe(30);
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';
import { runningRun } from '../helpers/db.ts';
import { browserSession, skipE2e } from '../helpers/e2e.ts';

const { labels } = loadMnist('test');
const DOUBTED = [10, 20, 30];
const seenAs = (i: number) => (labels[i]! + 1) % 10;

describe.skipIf(skipE2e)('the label issues review in a real browser', () => {
  const session = browserSession({
    prepare: (db) => {
      // One run that predicts the whole test set and calls three images label + 1.
      const probabilities = new Float32Array(labels.length * 10).fill(0.1 / 9);
      labels.forEach((label, i) => (probabilities[i * 10 + (DOUBTED.includes(i) ? seenAs(i) : label)] = 0.9));
      const predicted = labels.map((label, i) => (DOUBTED.includes(i) ? seenAs(i) : label));
      completeWithoutTraining(db, runningRun(db, { testLimit: null }), { predicted, probabilities, accuracy: 0.9997 });
    },
  });

  it('reviews three label issues with the keyboard, each decision stored and the next one shown', async () => {
    const { page, base } = session;
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${base}/label-issues`);
    const review = page.locator('#review');
    await review.locator('text=0 of 3 label issues decided').waitFor();
    const shown = async () => Number(await review.getAttribute('data-index'));
    // The split and slice pickers show what the page shows (no other page's script resets them).
    expect([await page.inputValue('select[name=split]'), await page.inputValue('select[name=slice]')]).toEqual(['test', 'all']);

    const first = await shown();
    await page.keyboard.press(String(seenAs(first)));
    await review.locator('text=1 of 3 label issues decided').waitFor();
    const second = await shown();
    expect(second).not.toBe(first);
    await page.keyboard.press('a');
    await review.locator('text=2 of 3 label issues decided').waitFor();
    const third = await shown();
    expect([first, second]).not.toContain(third);
    await page.keyboard.press('r');
    await review.locator('text=3 of 3 label issues decided').waitFor();
    await review.locator('text=Every label issue here is decided.').waitFor();
    // htmx swapped the panel each time: no navigation happened.
    expect(new URL(page.url()).pathname).toBe('/label-issues');

    // Read through the page, as the export link does.
    const decisions = () => page.evaluate(async () => (await (await fetch('/api/label-issues/decisions')).json()).decisions);
    const exported = { decisions: await decisions() };
    const decided = Object.fromEntries(exported.decisions.map((d: { index: number; verdict: string; correctedLabel: number | null }) => [d.index, [d.verdict, d.correctedLabel]]));
    expect(decided).toEqual({ [first]: ['wrong', seenAs(first)], [second]: ['ambiguous', null], [third]: ['right', null] });

    // A decided label issue shows its decision when opened again, and a button changes it.
    await page.goto(`${base}/label-issues?index=${second}`);
    await review.locator('text=Decided: ambiguous / unreadable').waitFor();
    await page.click('#review button[value=skip]');
    // A skip decides nothing (issue 27): the one skipped is left to decide later.
    await review.locator('text=2 of 3 label issues decided, 1 skipped').waitFor();
    await review.locator('text=Every label issue here is decided or skipped.').waitFor();
    expect((await decisions()).find((d: { index: number }) => d.index === second).verdict).toBe('skip');

    // The runs list now shows the run's accuracy on the corrected labels beside the original:
    // 3 of 10,000 predictions disagree with the file, one of them is corrected to what the run predicts.
    await page.goto(`${base}/runs`);
    const cells = await page.locator('#run-1 td.num').allTextContents();
    expect(cells.slice(7, 9)).toEqual(['99.97%', '99.98% · 99.98%']);
    expect(errors).toEqual([]);
  });
});

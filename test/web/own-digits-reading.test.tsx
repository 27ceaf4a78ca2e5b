import { describe, expect, it } from 'vitest';
import type { RunPrediction } from '../../src/models/own-digits/predict.ts';
import type { PreprocessStep } from '../../src/data/own-digits/preprocess.ts';
import { ReadingResult, type Reading } from '../../src/web/own-digits/components.tsx';

const reads = (runId: number, predicted: number): RunPrediction => ({
  runId,
  runName: `run ${runId}`,
  predicted,
  probabilities: Array.from({ length: 10 }, (_, d) => (d === predicted ? 0.91 : 0.01)),
});

const step = (name: PreprocessStep['name'], width: number, height: number): PreprocessStep => ({
  name,
  caption: name,
  image: { width, height, pixels: new Float32Array(width * height).fill(1) },
});

const DIGITS = { name: 'mnist', classNames: [...Array(10).keys()].map(String) };

/** The reading of a picture, rendered as the page shows it (no why panel: no training images needed); runs are MNIST's unless `datasets` says. */
async function render(predictions: Reading['predictions'], steps: PreprocessStep[] = [], datasets = new Map<number, { name: string; classNames: string[] }>()) {
  const all = new Map(predictions.map((p) => [p.runId, datasets.get(p.runId) ?? DIGITS]));
  const reading: Reading = { held: 'f'.repeat(32), name: 'four.png', steps, predictions, datasets: all, why: null };
  return String(await (<ReadingResult reading={reading} />));
}

const selected = (html: string) => [...html.matchAll(/<option value="([^"]*)" selected="">/g)].map((m) => m[1]);

describe('the label a kept picture gets (issue 27, item 28)', () => {
  it('preselects what most runs read, not the newest run\'s guess, and says how many agree', async () => {
    // Newest first, as the page lists them: the newest reads 9, the four others 4.
    const html = await render([reads(5, 9), reads(4, 4), reads(3, 4), reads(2, 4), reads(1, 4)]);
    expect(selected(html)).toEqual(['4']);
    expect(html).toContain('Preselected: 4, what 4 of 5 runs read');
  });

  it("counts only MNIST runs' votes: another dataset's class 4 is no digit 4", async () => {
    const shapes = { name: 'shapes', classNames: ['bar', 'box', 'diagonal', 'pillar', 'ring'] };
    const html = await render([reads(3, 4), reads(2, 4), reads(1, 7)], [], new Map([[3, shapes], [2, shapes]]));
    expect(selected(html)).toEqual(['7']);
    expect(html).toContain('Preselected: 7, what 1 of 1 runs read');
    expect(html).toMatch(/#3 run 3<\/a>\s*: reads <strong>ring<\/strong>/);
  });

  it('preselects nothing when no digit has more than half the runs, and says so', async () => {
    const html = await render([reads(3, 9), reads(2, 4), reads(1, 7), reads(4, 4)]);
    expect(selected(html)).toEqual(['']);
    expect(html).toContain('Nothing preselected: no digit is read by more than half the runs');
    expect(html).toMatch(/<select name="label" required=""/);
  });
});

describe('the preprocessing steps of a thin digit (issue 27, item 36)', () => {
  it('show each step inside a 168 px square with its own aspect ratio', async () => {
    const html = await render([], [step('cropped', 3, 60), step('scaled', 20, 2), step('centred', 28, 28)]);
    const sizes = [...html.matchAll(/<img [^>]*alt="(\w+)" width="(\d+)" height="(\d+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(sizes).toEqual([
      ['cropped', 8, 168],
      ['scaled', 168, 17],
      ['centred', 168, 168],
    ]);
  });
});

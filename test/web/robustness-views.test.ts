import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { saveRobustness } from '../../src/analysis/robustness/robustness-store.ts';
import { transformNamed } from '../../src/analysis/robustness/transforms.ts';
import type { RobustnessCurve } from '../../src/analysis/robustness/robustness.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

/** Recorded curves (no model needed to draw them): accuracy falling by `drop` per step of each transform. */
const curves = (start: number, drop: number): RobustnessCurve[] => [
  { name: 'rotate', unit: 'degrees', points: [0, 15, 30, 45].map((strength, k) => ({ strength, accuracy: start - k * drop })) },
  { name: 'shift', unit: 'pixels', points: [0, 2, 4].map((strength, k) => ({ strength, accuracy: start - k * drop })) },
];

/** A PNG data: URI's grey pixels, row by row. */
function decode(uri: string): { width: number; height: number; grey: (x: number, y: number) => number } {
  const png = PNG.sync.read(Buffer.from(uri.replace('data:image/png;base64,', ''), 'base64'));
  return { width: png.width, height: png.height, grey: (x, y) => png.data[(y * png.width + x) * 4]! };
}

describe('robustness: the images at each strength', () => {
  it('shows with each point, on hover, five test images transformed as the worker transformed them', async () => {
    const { db, app, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 500));
    saveRobustness(db, { runId: run.id, curves: curves(0.98, 0.1), count: 500, seconds: 12 });
    const body = await (await app.request(`/runs/${run.id}/robustness`)).text();
    const strips = [...body.matchAll(/<g class="hover-column"><title>([^<]+)<\/title>.*?<image class="tip-images" href="(data:image\/png;base64,[^"]+)"/g)];
    // One strip per point: 4 rotations and 3 shifts.
    expect(strips).toHaveLength(7);
    const at = (title: string) => decode(strips.find((m) => m[1]!.includes(title))![2]!);
    const rotated = at('degrees 45\n');
    expect([rotated.width, rotated.height]).toEqual([5 * 28, 28]);
    // The first digit of the strip is test image 0 rotated by 45 degrees, the second test image 1.
    const pixels = images.dataset.images;
    const image = (i: number) => Float32Array.from(pixels.subarray(i * 784, i * 784 + 784), (v) => v / 255);
    const expected = [0, 1].map((i) => transformNamed('rotate')!.apply(image(i), 45, i));
    let differsFromOriginal = 0;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        expect(rotated.grey(x, y)).toBe(Math.round(Math.min(1, Math.max(0, expected[0]![y * 28 + x]!)) * 255));
        expect(rotated.grey(28 + x, y)).toBe(Math.round(Math.min(1, Math.max(0, expected[1]![y * 28 + x]!)) * 255));
        if (rotated.grey(x, y) !== pixels[y * 28 + x]) differsFromOriginal++;
      }
    }
    expect(differsFromOriginal).toBeGreaterThan(50);
    // Strength 0 is the untouched image.
    const untouched = at('degrees 0\n');
    for (let x = 0; x < 28; x++) expect(untouched.grey(x, 14)).toBe(pixels[14 * 28 + x]);
  });
});

describe('compare: robustness overlaid', () => {
  it('draws a seed group as its mean with a ± sd band, other runs as lines, and names the runs without curves', async () => {
    const { db, app, images } = webApp();
    const labels = images.labels.subarray(0, 500);
    const seeds = [1, 2, 3].map((seed) => recordCompletedRun(db, labels, { seed }));
    const other = recordCompletedRun(db, labels, { seed: 4, params: { learningRate: 0.01 } });
    const bare = recordCompletedRun(db, labels, { seed: 5, params: { learningRate: 0.02 } });
    seeds.forEach((run, k) => saveRobustness(db, { runId: run.id, curves: curves(0.99, 0.1 + 0.05 * k), count: 500, seconds: 10 }));
    saveRobustness(db, { runId: other.id, curves: curves(0.97, 0.3), count: 500, seconds: 10 });
    const ids = [...seeds, other, bare].map((run) => run.id);
    const body = await (await app.request(`/compare?runs=${ids.join(',')}`)).text();
    const section = body.slice(body.indexOf('<section id="robustness-overlay"'), body.indexOf('</section>', body.indexOf('<section id="robustness-overlay"')));
    expect(section).toContain('<h2>Robustness</h2>');
    expect(section.match(/<figure class="chart">/g)).toHaveLength(2);
    const group = `runs ${seeds.map((r) => r.id).join(', ')} (mean ± sd)`;
    // At 30 degrees the seeds read 0.79, 0.69, 0.59: mean 0.69, sd 0.1, so the band spans 0.59 to 0.79.
    // Each x reads out every line there, the group's mean among them.
    expect(section).toContain(`\n${group}: 69.00%`);
    expect(section.match(/<path class="band /g)).toHaveLength(2);
    expect(section).toContain(`\nrun ${other.id}: 37.00%`);
    // The group's runs are summarised by the band, not drawn again one by one.
    for (const run of seeds) expect(section).not.toContain(`data-label="run ${run.id}"`);
    expect(section).toContain(`data-label="run ${other.id}"`);
    expect(section).toContain(`<a href="/runs/${bare.id}#robustness">run ${bare.id}</a>`);
    expect(section).not.toContain(`href="/runs/${other.id}#robustness"`);
  });
});

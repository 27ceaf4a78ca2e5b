import { describe, expect, it } from 'vitest';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

/** app.css draws the counts at 7px; no digit of a sans-serif face is wider than 0.6 em. */
const DIGIT_WIDTH = 0.6 * 7;

describe('the reliability diagram on a full run (issue 27, item 34)', () => {
  it('writes each bin\'s image count where it overlaps no other count', async () => {
    const { app, db, images } = webApp();
    // Confidences spread over 50-100%: eight bins of about 1,250 images side by side.
    const run = recordCompletedRun(db, images.labels, { accuracy: 0.9 });
    const body = await (await app.request(`/runs/${run.id}/calibration`)).text();
    const diagram = body.slice(0, body.indexOf('</figure>'));
    const counts = [...diagram.matchAll(/<text class="count" x="([\d.]+)" y="([\d.]+)" text-anchor="middle">(\d+)<\/text>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      text: m[3]!,
    }));
    expect(counts.length).toBeGreaterThanOrEqual(7);
    expect(counts.filter((c) => c.text.length === 4).length).toBeGreaterThanOrEqual(6);
    for (const [i, a] of counts.entries()) {
      for (const b of counts.slice(i + 1)) {
        if (a.y !== b.y) continue;
        expect(Math.abs(a.x - b.x), `${a.text} and ${b.text}`).toBeGreaterThanOrEqual(((a.text.length + b.text.length) / 2) * DIGIT_WIDTH);
      }
    }
  });
});

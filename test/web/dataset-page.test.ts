import { describe, expect, it } from 'vitest';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

describe('the dataset page', () => {
  it('ranks label issues off the event loop: the server keeps answering while it computes', async () => {
    const { app, db, images } = webApp();
    // The dataset's facts are computed once, at the first visit: not what is measured here.
    expect((await app.request('/dataset')).status).toBe(200);
    // Guesses as good as chance make nearly every test image a candidate, and each candidate's
    // neighbours are searched among all 10,000 embeddings: seconds of work (8.9 s in place, measured).
    recordCompletedRun(db, images.labels, { accuracy: 0.1, embeddingDimensions: 16 });
    const started = performance.now();
    const { result: html, longestStall } = await longestStallDuring(async () => {
      // The page shows at once; its label issues section polls until the thread has ranked them.
      const page = await app.request('/dataset');
      expect(page.status).toBe(200);
      let section = await page.text();
      expect(section).toContain('hx-get="/dataset/label-issues" hx-trigger="load delay:1s"');
      while (section.includes('hx-get="/dataset/label-issues"')) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        section = await (await app.request('/dataset/label-issues')).text();
      }
      return section;
    });
    expect(html).toMatch(/the completed runs \(1\) doubt/);
    // Generous for a loaded machine, far below the seconds the ranking takes.
    expect(longestStall, `the page took ${Math.round(performance.now() - started)} ms`).toBeLessThan(500);
  }, 120_000);
});

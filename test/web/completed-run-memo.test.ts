import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/store/store.ts';
import { CompletedRunMemo } from '../../src/web/completed-run-memo.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

const run = (id: number, status: Run['status']) => ({ id, status }) as Run;

describe('what is kept of completed runs', () => {
  it('computes a part of a completed run once, and of a running run every time', () => {
    const kept = new CompletedRunMemo<string>(10);
    let computed = 0;
    const compute = () => `value ${++computed}`;
    expect(kept.of(run(1, 'completed'), 'part', compute)).toBe('value 1');
    expect(kept.of(run(1, 'completed'), 'part', compute)).toBe('value 1');
    expect(kept.of(run(1, 'completed'), 'other part', compute)).toBe('value 2');
    expect(kept.of(run(2, 'running'), 'part', compute)).toBe('value 3');
    expect(kept.of(run(2, 'running'), 'part', compute)).toBe('value 4');
  });

  it('keeps null, a value like any other', () => {
    const kept = new CompletedRunMemo<string | null>(10);
    let computed = 0;
    for (let i = 0; i < 2; i++) kept.of(run(1, 'completed'), 'part', () => (computed++, null));
    expect(computed).toBe(1);
  });

  it('keeps only the parts asked for last', () => {
    const kept = new CompletedRunMemo<number>(2);
    let computed = 0;
    const compute = () => ++computed;
    for (const id of [1, 2, 1, 3]) kept.of(run(id, 'completed'), 'part', compute); // 2 is the one asked for longest ago
    expect(computed).toBe(3);
    kept.of(run(1, 'completed'), 'part', compute);
    kept.of(run(3, 'completed'), 'part', compute);
    expect(computed).toBe(3);
    kept.of(run(2, 'completed'), 'part', compute);
    expect(computed).toBe(4);
  });

  it("serves each page and cell of a completed run's galleries as drawn from its stored predictions", async () => {
    const uncached = webApp();
    const { app, db, images } = webApp();
    const completed = recordCompletedRun(db, images.labels, { accuracy: 0.9 });
    recordCompletedRun(uncached.db, images.labels, { accuracy: 0.9 }); // the same run, seeded alike
    const galleries = ['page=1', 'page=2', 'label=7&predicted=1'].map((query) => `/runs/${completed.id}/gallery?${query}`);
    const first = await Promise.all(galleries.map(async (path) => (await app.request(path)).text()));
    expect(new Set(first).size).toBe(3);
    for (const [i, path] of galleries.entries()) {
      // Asked again, from the kept HTML: the same as the first time, and as an app asked for the first time draws it.
      const again = await (await app.request(path)).text();
      expect(again, path).toBe(first[i]);
      expect(again, path).toBe(await (await uncached.app.request(path)).text());
    }
    // The run page shows the kept gallery of its mistakes.
    expect(await (await app.request(`/runs/${completed.id}`)).text()).toContain(first[0]!.slice(0, 2000));
  });

  it("serves a pair's compared images as drawn from both runs' stored predictions, each pair its own", async () => {
    const uncached = webApp();
    const { app, db, images } = webApp();
    for (const { db: store } of [{ db }, uncached]) for (const seed of [1, 2, 3]) recordCompletedRun(store, images.labels, { seed, accuracy: 0.9 });
    const pages = ['/compare?runs=1,2', '/compare?runs=1,3', '/compare?runs=2,3'];
    const fixedOf = (html: string) => html.slice(html.indexOf('<h3>Fixed'), html.indexOf('<section class="ab-why">'));
    const first = await Promise.all(pages.map(async (path) => fixedOf(await (await app.request(path)).text())));
    expect(new Set(first).size).toBe(3);
    for (const [i, path] of pages.entries()) {
      const again = fixedOf(await (await app.request(path)).text());
      expect(again, path).toBe(first[i]);
      expect(again, path).toBe(fixedOf(await (await uncached.app.request(path)).text()));
    }
  }, 60_000);
});

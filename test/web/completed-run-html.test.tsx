import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/store/store.ts';
import { CompletedRunHtml } from '../../src/web/completed-run-html.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

const run = (id: number, status: Run['status']) => ({ id, status }) as Run;

describe('the kept HTML of completed runs', () => {
  it('renders a part of a completed run once, and a running run every time', () => {
    const kept = new CompletedRunHtml();
    let renders = 0;
    const draw = () => (renders++, <p>drawn {renders}</p>);
    expect(String(kept.of(run(1, 'completed'), 'part', draw))).toBe('<p>drawn 1</p>');
    expect(String(kept.of(run(1, 'completed'), 'part', draw))).toBe('<p>drawn 1</p>');
    expect(String(kept.of(run(1, 'completed'), 'other part', draw))).toBe('<p>drawn 2</p>');
    expect(String(kept.of(run(2, 'running'), 'part', draw))).toBe('<p>drawn 3</p>');
    expect(String(kept.of(run(2, 'running'), 'part', draw))).toBe('<p>drawn 4</p>');
  });

  it('keeps only the parts asked for last', () => {
    const kept = new CompletedRunHtml(2);
    let renders = 0;
    const draw = () => (renders++, <p>{renders}</p>);
    for (const id of [1, 2, 1, 3]) kept.of(run(id, 'completed'), 'part', draw); // 2 is the one asked for longest ago
    expect(renders).toBe(3);
    kept.of(run(1, 'completed'), 'part', draw);
    kept.of(run(3, 'completed'), 'part', draw);
    expect(renders).toBe(3);
    kept.of(run(2, 'completed'), 'part', draw);
    expect(renders).toBe(4);
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
});

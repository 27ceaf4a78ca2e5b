import { describe, expect, it } from 'vitest';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

describe('a completed run whose model collapsed to one class', () => {
  it('is flagged on its page and in the runs list, with the reason; a healthy run is not', async () => {
    const { app, db, images } = webApp();
    const labels = images.labels.subarray(0, 500);
    const collapsed = recordCompletedRun(db, labels, { name: 'lr10', collapseTo: 3 });
    const healthy = recordCompletedRun(db, labels, { name: 'fine', accuracy: 0.95, seed: 2 });

    const page = await (await app.request(`/runs/${collapsed.id}`)).text();
    expect(page).toMatch(/Degenerate model: the model predicts 3 for 100% of 500 images/);
    expect(await (await app.request(`/runs/${healthy.id}`)).text()).not.toMatch(/Degenerate model/);

    const list = await (await app.request('/runs')).text();
    const row = (id: number) => list.slice(list.indexOf(`<tr id="run-${id}"`), list.indexOf('</tr>', list.indexOf(`<tr id="run-${id}"`)));
    expect(row(collapsed.id)).toMatch(/badge-degenerate[^>]*title="the model predicts 3 for 100% of 500 images"/);
    expect(row(healthy.id)).not.toContain('degenerate');
    expect(await (await app.request(`/runs/${collapsed.id}/row`)).text()).toContain('badge-degenerate');
  });
});

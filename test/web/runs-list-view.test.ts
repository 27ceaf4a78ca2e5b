import { describe, expect, it } from 'vitest';
import { archiveRuns } from '../../src/store/run-archive.ts';
import { decideLabel } from '../../src/store/label-issues-decisions.ts';
import { createRun, getRun, loadTestPredictions, recordProgress, setTag } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { postForm, webApp } from '../helpers/web.ts';

/** Run ids in the order the table lists them. */
const listedIds = (html: string) => [...html.matchAll(/<tr id="run-(\d+)"/g)].map((m) => Number(m[1]));
const headers = (html: string) => [...html.slice(html.indexOf('id="runs-table"')).matchAll(/<th[^>]*>(?:<a [^>]*>)?([^<]+)/g)].map((m) => m[1]!.replace(/ [↑↓]$/, ''));

function appWithRuns() {
  const env = webApp();
  const labels = env.images.labels.subarray(0, 300);
  const a = recordCompletedRun(env.db, labels, { name: 'a', accuracy: 0.95, seed: 1, params: { learningRate: 0.0001 }, tags: { group: 'x' } });
  const b = recordCompletedRun(env.db, labels, { name: 'b', accuracy: 0.7, seed: 2, params: { learningRate: 0.01 }, tags: { group: 'y' } });
  const c = recordCompletedRun(env.db, labels, { name: 'c', accuracy: 0.9, seed: 3, params: { learningRate: 0.001, batchSize: 32 } });
  return { ...env, a, b, c };
}

describe('filtering, sorting and choosing columns on /runs', () => {
  it('filters by an expression over params and metrics, and sorts by a param', async () => {
    const { app, a, b, c } = appWithRuns();
    const html = await (await app.request(`/runs?where=${encodeURIComponent('lr>=0.001 acc>0.8')}`)).text();
    expect(listedIds(html)).toEqual([c.id]);
    expect(html).toContain('1 of 3 runs match');
    expect(html).toContain('value="lr&gt;=0.001 acc&gt;0.8"');
    const sorted = await (await app.request('/runs?sort=learningRate&dir=asc')).text();
    expect(listedIds(sorted)).toEqual([a.id, c.id, b.id]);
    expect(sorted).toMatch(/aria-sort="ascending"><a href="\/runs\?sort=learningRate">LR ↑/);
  });

  it('says beside the box which term is wrong and what is allowed, and filters by the rest', async () => {
    const { app } = appWithRuns();
    const res = await app.request(`/runs?status=completed&where=${encodeURIComponent('acc>0.8 lrate<1')}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<span id="where-error" class="field-error" role="status">Not applied: &#39;lrate&#39; in &#39;lrate&lt;1&#39; is not a name runs are recorded with; allowed: metrics id, name, status, .*val_acc/);
    expect(html).toContain('aria-invalid="true"');
    expect(listedIds(html)).toHaveLength(3);
    const api = await app.request(`/api/runs?where=${encodeURIComponent('acc>>1')}`);
    expect(api.status).toBe(400);
    expect((await api.json()).error).toMatch(/where: '>1' compares acc with text|acc/);
  });

  it('shows the chosen columns, validation accuracy among them, and keeps them in sort, tag and page links', async () => {
    const { app, a } = appWithRuns();
    const html = await (await app.request('/runs?col=val_acc&col=learningRate&col=model')).text();
    expect(headers(html)).toEqual(['#', 'Name', 'Status', 'LR', 'Val acc', 'Model']);
    expect(html).toContain('<input type="checkbox" name="col" value="val_acc" checked=""/> Val acc');
    // The recorded run's last epoch: 0.95 * (1 - 1/4) - 0.01 = 70.25%.
    expect(html).toMatch(new RegExp(`<tr id="run-${a.id}">.*?<td class="num">0.0001</td><td class="num">70.25%</td><td class="num">reference</td>`));
    expect(html).toContain('<a class="tag" href="/runs?tag=group%3Dx&amp;col=val_acc&amp;col=learningRate&amp;col=model"');
    const byTag = await (await app.request('/runs?tag=group%3Dx')).text();
    expect(listedIds(byTag)).toEqual([a.id]);
  });

  it('sorts by every header of the default view, Engine, Where and the corrected accuracy too (issue 27, item 32)', async () => {
    const { app, db, images, a, b, c } = appWithRuns();
    const html = await (await app.request('/runs')).text();
    const table = html.slice(html.indexOf('id="runs-table"'));
    const head = table.slice(table.indexOf('<thead>'), table.indexOf('</thead>'));
    const cells = [...head.matchAll(/<th[^>]*>([^]*?)<\/th>/g)].slice(1).map((m) => m[1]!);
    expect(cells).toHaveLength(16);
    expect(cells.filter((cell) => !cell.startsWith('<a href="/runs?'))).toEqual([]);
    const sorted = async (query: string) => listedIds(await (await app.request(`/runs?${query}`)).text());

    const setRun = db.$client.prepare('UPDATE runs SET backend = ?, host = ? WHERE id = ?');
    setRun.run('wasm', 'kestrel', a.id);
    setRun.run('cpu', null, b.id);
    setRun.run('node', 'albatross', c.id);
    expect(await sorted('sort=backend&dir=asc')).toEqual([b.id, c.id, a.id]);
    expect(await sorted('sort=host&dir=asc')).toEqual([c.id, a.id, b.id]);

    // Relabel every image b got wrong as what b read: b is right on all of them, a and c lose the ones they had right.
    const { predicted } = loadTestPredictions(db, b.id)!;
    predicted.forEach((p, i) => {
      if (p !== images.labels[i]) decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: i, verdict: 'wrong', correctedLabel: p });
    });
    expect(await sorted('sort=acc')).toEqual([a.id, c.id, b.id]);
    expect(await sorted('sort=corrected_acc')).toEqual([b.id, a.id, c.id]);
    expect(await sorted('sort=corrected_acc&dir=asc')).toEqual([c.id, a.id, b.id]);
  });

  it('pages past 50 runs with links that keep the filters', async () => {
    const { app, db } = webApp();
    for (let i = 0; i < 120; i++) createRun(db, { name: `run ${i}`, params: smallRunParams({ seed: i }) });
    const first = await (await app.request('/runs?status=queued&where=seed%3E%3D5')).text();
    expect(listedIds(first)).toHaveLength(50);
    expect(first).toContain('115 of 120 runs match, 1–50 shown');
    expect(first).toContain('<a href="/runs?status=queued&amp;where=seed%3E%3D5&amp;page=2" rel="next">Next ›</a>');
    const last = await (await app.request('/runs?status=queued&where=seed%3E%3D5&page=3')).text();
    expect(listedIds(last)).toHaveLength(15);
    expect(listedIds(last).at(-1)).toBe(6); // seeds 5..119 are runs 6..120, newest first
    expect(last).toMatch(/<span aria-current="page">3<\/span>/);
  });

  it('exports the filtered list as CSV with the chosen columns and unformatted numbers', async () => {
    const { app, db, a, c } = appWithRuns();
    const page = await (await app.request('/runs?where=acc%3E0.8&col=acc&col=val_acc')).text();
    const href = /href="(\/api\/runs\?format=csv[^"]*)"/.exec(page)![1]!.replace(/&amp;/g, '&');
    const res = await app.request(href);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,name,status,tags,archivedAt,acc,val_acc');
    expect(lines.slice(1).map((line) => Number(line.split(',')[0]))).toEqual([c.id, a.id]);
    const aLine = lines.find((line) => line.startsWith(`${a.id},`))!;
    expect(aLine).toBe(`${a.id},a,completed,group=x,,${getRun(db, a.id).testAccuracy},${0.95 * 0.75 - 0.01}`);
  });
});

describe('GET /api/runs', () => {
  it('carries params, tags, progress and archive state, with the page filters and paging', async () => {
    const { app, db, b } = appWithRuns();
    const running = createRun(db, { name: 'live', params: smallRunParams(), status: 'running' });
    recordProgress(db, running.id, { epoch: 1, batch: 3, batches: 10 });
    setTag(db, running.id, 'group', 'x');
    const all = await (await app.request('/api/runs')).json();
    expect(all).toMatchObject({ total: 4, matched: 4, page: 1, pages: 1, perPage: null });
    const live = all.runs.find((run: { id: number }) => run.id === running.id);
    expect(live).toMatchObject({ name: 'live', status: 'running', tags: { group: 'x' }, progress: { epoch: 1, batch: 3, batches: 10 }, archivedAt: null });
    expect(live.params.trainLimit).toBe(2000);
    expect(Object.keys(live)).toEqual(expect.arrayContaining(['id', 'name', 'status', 'testAccuracy', 'testLoss', 'backend', 'createdAt']));
    const paged = await (await app.request('/api/runs?tag=group%3Dx&sort=id&dir=asc&per_page=1&page=2')).json();
    expect(paged).toMatchObject({ total: 4, matched: 2, page: 2, pages: 2, perPage: 1 });
    expect(paged.runs.map((run: { id: number }) => run.id)).toEqual([running.id]);
    archiveRuns(db, [b.id]);
    expect((await (await app.request('/api/runs')).json()).runs.map((run: { id: number }) => run.id)).not.toContain(b.id);
    const withArchived = await (await app.request('/api/runs?archived=1&where=lr%3E0.005')).json();
    expect(withArchived.runs.map((run: { id: number; archivedAt: string | null }) => [run.id, run.archivedAt !== null])).toEqual([[b.id, true]]);
    expect((await app.request('/api/runs?sort=nonsense')).status).toBe(400);
  });
});

describe('archiving on the web', () => {
  it('archives after confirming, hides the run unless "show archived", and unarchives', async () => {
    const { app, db, a } = appWithRuns();
    const page = await (await app.request(`/runs/${a.id}`)).text();
    expect(page).toMatch(new RegExp(`<form class="inline-form" method="post" action="/runs/${a.id}/archive" data-confirm="Archive run ${a.id}\\? It stays whole`));
    expect((await postForm(app, `/runs/${a.id}/archive`, {})).status).toBe(303);
    expect(getRun(db, a.id).archivedAt).not.toBeNull();
    const list = await (await app.request('/runs')).text();
    expect(listedIds(list)).not.toContain(a.id);
    expect(list).toContain('2 runs; 1 archived not shown');
    const shown = await (await app.request('/runs?archived=1')).text();
    expect(shown).toMatch(new RegExp(`<tr id="run-${a.id}" class="archived">.*?<span class="badge badge-archived">archived</span>`));
    const archivedPage = await (await app.request(`/runs/${a.id}`)).text();
    expect(archivedPage).toContain('still counts in its sweep, its seed group and training-set searches for label issues');
    expect(archivedPage).toContain('<button type="submit">Unarchive</button>');
    await postForm(app, `/runs/${a.id}/archive`, { undo: '1' });
    expect(getRun(db, a.id).archivedAt).toBeNull();
    const queued = createRun(db, { name: 'q', params: smallRunParams() });
    expect((await postForm(app, `/runs/${queued.id}/archive`, {})).status).toBe(409);
  });
});

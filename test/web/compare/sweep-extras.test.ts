import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { runs } from '../../../db/schema.ts';
import { sweepRuns } from '../../../src/analysis/sweeps/sweep-store.ts';
import { claimRun, getRun } from '../../../src/store/store.ts';
import { completeWithoutTraining } from '../../analysis/fake-runs.ts';
import { runningRun } from '../../helpers/db.ts';
import { postForm, webApp } from '../../helpers/web.ts';

type App = ReturnType<typeof webApp>;

/** Queues a sweep through the form, as a person would; returns its id. */
async function launch({ app }: App, fields: Record<string, string>): Promise<number> {
  const res = await postForm(app, '/sweeps', fields);
  expect(res.status).toBe(303);
  return Number(res.headers.get('Location')!.split('/').at(-1));
}

/** The text of a page with its tags taken out, spaces folded. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/\s+/g, ' ');

const GRID = { 'learning-rate': '0.001,0.003', 'batch-size': '32,64', seeds: '2', epochs: '1', 'train-limit': '500' };

describe('a sweep page', () => {
  it('lists the settings every run shares with the values they train with, not the axes or seeds', async () => {
    const env = webApp();
    const id = await launch(env, GRID);
    const html = await (await env.app.request(`/sweeps/${id}`)).text();
    const fixed = textOf(html.slice(html.indexOf('Fixed settings'), html.indexOf('id="sweep-results"')));
    expect(fixed).toContain('Epochs 1 ');
    expect(fixed).toContain('Train limit 500 ');
    expect(fixed).toContain('Test limit 10,000 (all) ');
    expect(fixed).toContain('Validation split 0.2 ');
    expect(fixed).toContain('Optimizer adam ');
    expect(fixed).toContain('Momentum none (adam) ');
    expect(fixed).toContain('Augment none ');
    expect(fixed).not.toMatch(/Learning rate|Batch size|Seed|default|null/);
  });

  it('shows a heatmap of mean accuracy for two axes, with each cell\'s seeds and spread, and links to the best run and a comparison', async () => {
    const env = webApp();
    const id = await launch(env, GRID);
    const queued = sweepRuns(env.db, id);
    // Grid order: batch size, then learning rate (the flags' order), then seed; the second seed of batch 64 / lr 0.003 never ran.
    const accuracies = [0.9, 0.92, 0.8, 0.82, 0.95, 0.97, 0.85, null];
    queued.forEach((run, i) => {
      if (accuracies[i] === null) return;
      claimRun(env.db, run.id);
      completeWithoutTraining(env.db, run, { accuracy: accuracies[i]! });
    });
    const html = await (await env.app.request(`/sweeps/${id}`)).text();
    expect(html).toContain('Mean test accuracy by batchSize and learningRate');
    const heatmap = html.slice(html.indexOf('<table class="heatmap">'), html.indexOf('</table>', html.indexOf('<table class="heatmap">')));
    const rows = [...heatmap.matchAll(/<tr><th scope="row">([^<]+)<\/th>(.*?)<\/tr>/g)].map(([, value, cells]) => [value, textOf(cells!).trim()]);
    expect(rows).toEqual([
      ['32', '91.00% 2 seeds, sd 1.41% 81.00% 2 seeds, sd 1.41%'],
      ['64', '96.00% 2 seeds, sd 1.41% 85.00% 1 seed, no spread'],
    ]);
    expect(heatmap).toContain('<th scope="col">0.001</th><th scope="col">0.003</th>');
    // The best cell is shaded darkest, the worst lightest.
    expect(heatmap).toMatch(/--strength: 0\.550.*96\.00%/s);
    expect(heatmap).toMatch(/--strength: 0\.060.*81\.00%/s);
    const ids = queued.map((run) => run.id);
    expect(html).toContain(`Best run so far: <a href="/runs/${ids[5]}">run ${ids[5]}</a>, 97.00% test accuracy (batchSize 64, learningRate 0.001).`);
    // The best seed of each grid point, best point first.
    expect(html).toContain(`<a href="/compare?runs=${[ids[5], ids[1], ids[6], ids[3]].join(',')}">Compare these runs</a>`);
  });

  it('shows no heatmap for one axis', async () => {
    const env = webApp();
    const id = await launch(env, { 'learning-rate': '0.001,0.003', epochs: '1' });
    expect(await (await env.app.request(`/sweeps/${id}`)).text()).not.toContain('class="heatmap"');
  });
});

describe('the grid preview', () => {
  it('counts the runs and estimates their training time from the runs this machine completed, saying so', async () => {
    const env = webApp();
    const measured = runningRun(env.db);
    completeWithoutTraining(env.db, measured);
    // It trained 1,600 images at 400/s (4 s) and took 6 s from start to end.
    const startedAt = new Date(1_700_000_000_000);
    env.db.update(runs).set({ trainSamplesPerSecond: 400, startedAt, finishedAt: new Date(startedAt.getTime() + 6000) }).where(eq(runs.id, measured.id)).run();
    const res = await postForm(env.app, '/sweeps/preview', GRID);
    expect(res.status).toBe(200);
    const text = textOf(await res.text());
    // 8 runs of 400 training images (500 less the 0.2 split), one epoch each, at 400 samples/s, and 2 s besides.
    expect(text).toMatch(/8 runs \(2 batchSize values × 2 learningRate values × 2 seeds\), about 24s ?, one run after another\./);
    expect(text).toContain('Based on the 1 run of reference that completed on this machine');
    expect(text).toContain('400 training samples/s over all their batches, and a median 2s per run outside training');
    expect(env.db.select().from(runs).all()).toHaveLength(1);

    const unmeasured = textOf(await (await postForm(env.app, '/sweeps/preview', { ...GRID, model: 'mlp,reference' })).text());
    expect(unmeasured).toContain('16 runs');
    expect(unmeasured).toMatch(/about 24s ?for 8 runs of them/);
    expect(unmeasured).toContain('No mlp run has completed on this machine yet, so its 8 runs have no estimate');
  });

  it('lists every problem instead when the form would queue nothing', async () => {
    const env = webApp();
    const text = textOf(await (await postForm(env.app, '/sweeps/preview', { 'learning-rate': '0.001,fast', seeds: '0' })).text());
    expect(text).toContain('Nothing would be queued yet');
    expect(text).toContain("Learning rate: must be a number from 1e-7 to 10; got 'fast'");
    expect(text).toContain('Seeds: must be a whole number from 1 to 100');
  });

  it('is on the sweeps page before anything is queued, redrawn by htmx as the fields change', async () => {
    const html = await (await webApp().app.request('/sweeps')).text();
    expect(html).toMatch(/<div class="sweep-fields" hx-post="\/sweeps\/preview" hx-trigger="input delay:400ms" hx-include="closest form" hx-target="#sweep-preview"/);
    expect(textOf(html)).toContain('1 run (1 seed)');
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/);
  });
});

describe('cancelling a sweep', () => {
  it('asks first, then cancels the queued runs and stops the running ones through the queue, leaving finished ones', async () => {
    const env = webApp();
    const id = await launch(env, { 'learning-rate': '0.001,0.003,0.01', seeds: '2', epochs: '1' });
    const [done, remote, dead, ...waiting] = sweepRuns(env.db, id);
    claimRun(env.db, done!.id);
    completeWithoutTraining(env.db, done!);
    // A remote worker's run learns of the cancel at its next heartbeat; a run whose process died is failed.
    for (const run of [remote!, dead!]) claimRun(env.db, run.id);
    env.db.update(runs).set({ source: 'worker' }).where(eq(runs.id, remote!.id)).run();
    env.db.update(runs).set({ pid: 2 ** 22 + 1 }).where(eq(runs.id, dead!.id)).run();

    const page = await (await env.app.request(`/sweeps/${id}`)).text();
    expect(page).toContain(`<a class="button danger" href="/sweeps/${id}/cancel">Cancel the sweep</a>`);
    const confirm = textOf(await (await env.app.request(`/sweeps/${id}/cancel`)).text());
    expect(confirm).toContain('This cancels its 3 queued runs and stops its 2 running runs after the current batch, keeping their finished epochs. Runs that have ended (1) stay as they are.');
    expect(sweepRuns(env.db, id).filter((run) => run.status === 'queued')).toHaveLength(3);

    const res = await postForm(env.app, `/sweeps/${id}/cancel`, {});
    expect(res.status).toBe(200);
    const ids = waiting.map((run) => run.id);
    expect(textOf(await res.text())).toContain(
      `Sweep ${id}: cancelled 3 runs (${ids.join(', ')}) that had not started; stopping 1 run (${remote!.id}) after the current batch; marked failed 1 run (${dead!.id}) whose training process had died.`,
    );
    expect(ids.map((runId) => getRun(env.db, runId).status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(getRun(env.db, remote!.id)).toMatchObject({ status: 'running', cancelRequested: true });
    expect(getRun(env.db, dead!.id).status).toBe('failed');
    expect(getRun(env.db, done!.id).status).toBe('completed');
  });

  it('says which running runs it may not stop, and refuses a cross-site cancel', async () => {
    const env = webApp();
    const id = await launch(env, { 'learning-rate': '0.001,0.003', epochs: '1' });
    const [elsewhere] = sweepRuns(env.db, id);
    // Claimed by this test's own process, which the app's queue did not start.
    claimRun(env.db, elsewhere!.id);
    expect((await postForm(env.app, `/sweeps/${id}/cancel`, {}, { Origin: 'http://evil.example' })).status).toBe(403);
    expect(sweepRuns(env.db, id).map((run) => run.status)).toEqual(['running', 'queued']);
    const text = textOf(await (await postForm(env.app, `/sweeps/${id}/cancel`, {})).text());
    expect(text).toContain(`Not stopped: run ${elsewhere!.id} is trained by process ${process.pid}`);
    expect(getRun(env.db, elsewhere!.id).status).toBe('running');
  });

  it('answers an unknown sweep with 404', async () => {
    const env = webApp();
    expect((await postForm(env.app, '/sweeps/99/cancel', {})).status).toBe(404);
    expect((await env.app.request('/sweeps/99/cancel')).status).toBe(404);
  });
});

import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { runs } from '../../../db/schema.ts';
import { getRun } from '../../../src/store/store.ts';
import { recordCompletedRun } from '../../helpers/recorded-runs.ts';
import { webApp } from '../../helpers/web.ts';

/** A store with a default run, an sgd run that trained on 5,000 images, and a run marked imported (as `import` records it). */
function store() {
  const env = webApp();
  const labels = env.images.labels.subarray(0, 300);
  const plain = recordCompletedRun(env.db, labels, { seed: 1 });
  const sgd = recordCompletedRun(env.db, labels, { seed: 2, params: { optimizer: 'sgd', trainLimit: 5000 } });
  const imported = recordCompletedRun(env.db, labels, { seed: 3 });
  env.db.update(runs).set({ source: 'imported', params: { testLimit: 300 } }).where(eq(runs.id, imported.id)).run();
  return { ...env, ids: [plain.id, sgd.id, getRun(env.db, imported.id).id] };
}

const cells = (html: string, label: string) =>
  [...(new RegExp(`<th>${label}</th>((?:<td class="num">[^<]*</td>)+)`).exec(html)?.[1] ?? '').matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);

describe('the compare page parameters (bug 8)', () => {
  it('name settings as the run page does and show the values the runs trained with, never null or "default"', async () => {
    const { app, ids } = store();
    const html = await (await app.request(`/compare/params?runs=${ids.join(',')}&all=1`)).text();
    expect(cells(html, 'Learning rate')).toEqual(['0.001', '0.001', 'imported: not trained here']);
    expect(cells(html, 'Train limit')).toEqual(['60,000 (all)', '5,000', 'imported: not trained here']);
    expect(cells(html, 'Test limit')).toEqual(['300', '300', '300']);
    expect(cells(html, 'Optimizer')).toEqual(['adam', 'sgd', 'imported: not trained here']);
    expect(cells(html, 'Momentum')).toEqual(['none (adam)', '0.9', 'imported: not trained here']);
    expect(html).not.toMatch(/>(null|default|undefined)</);
    expect(html).not.toContain('learningRate');
  });

  it('show only the settings that differ by default', async () => {
    const { app, ids } = store();
    const html = await (await app.request(`/compare?runs=${ids[0]},${ids[1]}`)).text();
    expect(html).toMatch(/Only those that differ \(4 of \d+\)/);
    expect(cells(html, 'Seed')).toEqual(['1', '2']);
    expect(cells(html, 'Epochs')).toEqual([]);
  });

  it('match the run page, which spells out its defaults too', async () => {
    const { app, ids } = store();
    const html = await (await app.request(`/runs/${ids[0]}`)).text();
    expect(html).toContain('<dt>Train limit</dt><dd>60,000 (all)</dd>');
    expect(html).toContain('<dt>Optimizer</dt><dd>adam</dd>');
    expect(html).toContain('<dt>Lr schedule</dt><dd>constant</dd>');
    expect(html).toContain('<dt>Dataset</dt><dd>mnist</dd>');
    expect(html).not.toMatch(/<dd>(default|undefined|null)<\/dd>/);
  });

  it('draw no empty validation charts for runs that held out no validation data, and say why they are absent', async () => {
    const env = webApp();
    const labels = env.images.labels.subarray(0, 300);
    const ids = [1, 2].map((seed) => recordCompletedRun(env.db, labels, { seed, params: { validationSplit: 0 } }).id);
    const html = await (await env.app.request(`/compare?runs=${ids.join(',')}`)).text();
    const curves = html.slice(html.indexOf('id="curves"'), html.indexOf('</section>', html.indexOf('id="curves"')));
    expect(curves).toContain('No validation accuracy or validation loss yet');
    expect(curves.match(/<svg/g)).toHaveLength(2);
    expect(curves).not.toContain('no finished points');
  });
});


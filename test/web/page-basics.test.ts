import { describe, expect, it } from 'vitest';
import { launchTrainingSetSearch, searchFoldHyperparameters } from '../../src/analysis/label-issues/training-set-search.ts';
import { runMapKey, saveMap } from '../../src/analysis/maps/map-store.ts';
import { launchSweep } from '../../src/analysis/sweeps/sweep-store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { webApp } from '../helpers/web.ts';
import { storeOn } from '../../src/store/open-store.ts';

/**
 * GET routes that answer a fragment for htmx to swap into a page (or data), not a page of their
 * own. Every other GET route of createApp is a page and is walked below: a new page is checked
 * without anyone listing it, and a new fragment has to be named here.
 */
const NOT_PAGES = [
  /^\/api\//,
  /^\/static\//,
  /^\/healthz$/,
  /\.(png|json|csv)$/,
  /^\/own-digits\/scores$/,
  /^\/runs\/:id\/(row|live|epoch-confusion|gallery|calibration|robustness|analysis|slices)$/,
  /^\/dataset\/(label-issues|duplicates|facts)$/,
  /^\/runs\/:id\/explain\//,
  /^\/compare\/(params|cell)$/,
  /^\/sweeps\/:id\/results$/,
  /^\/maps\//,
  /^\/label-issues\/training-set\/:search\/panel$/,
];

/** A route pattern with its parameters' regexes dropped: `/runs/:id{[0-9]+}` is `/runs/:id`. */
const bare = (path: string) => path.replace(/\{(?:[^{}]|\{[^}]*\})*\}/g, '');

async function appWithOneOfEverything() {
  const web = webApp();
  const { labels } = loadMnist('test', { limit: 300 });
  const run = recordCompletedRun(web.db, labels, { seed: 1, epochs: 2 });
  const other = recordCompletedRun(web.db, labels, { seed: 2, epochs: 2 });
  const { sweep } = await launchSweep(storeOn(web.db), { name: 'lr', axes: { 'learning-rate': [0.001] }, seeds: [1], runs: [{ name: 'lr 0.001', params: smallRunParams() }] });
  await launchTrainingSetSearch(storeOn(web.db), { folds: 2, hyperparameters: searchFoldHyperparameters({ epochs: 1, trainLimit: 1000 }) });
  const values: Record<string, string> = { ':id': String(run.id), ':index': '7' };
  const url = (path: string) =>
    bare(path)
      .replace(/^\/sweeps\/:id/, `/sweeps/${sweep.id}`)
      .replace(/:\w+/g, (name) => values[name] ?? name) + (path === '/compare' ? `?runs=${run.id},${other.id}` : path.includes('/images/test/') ? `?run=${run.id}` : '');
  return { ...web, url };
}

describe('every page', () => {
  it('has one h1, a skip link to its main content, named canvases, and charts whose points are not tab stops', async () => {
    const { app, db, url } = await appWithOneOfEverything();
    const pages = [...new Set(app.routes.filter((r) => r.method === 'GET').map((r) => r.path))].filter(
      (path) => !NOT_PAGES.some((pattern) => pattern.test(bare(path))),
    );
    expect(pages.length).toBeGreaterThan(10);
    const checked: string[] = [];
    for (const path of [...pages.map(url), '/no-such-page', '/runs/999']) {
      const response = await app.request(path);
      const html = await response.text();
      if (response.status >= 300 && response.status < 400) continue; // a redirect to a page walked here anyway
      expect(html.startsWith('<!DOCTYPE html>'), `${path} (${response.status}) is not a page`).toBe(true);
      expect(html, `skip link on ${path}`).toMatch(/<body><a class="skip-link" href="#main">Skip to content<\/a>/);
      expect(html, `main target on ${path}`).toContain('<main id="main" tabindex="-1">');
      expect(html, `tab stops in the charts on ${path}`).not.toMatch(/<svg[^>]*>(?:(?!<\/svg>)[^])*tabindex/);
      for (const canvas of html.match(/<canvas[^>]*>/g) ?? []) expect(canvas, `canvas on ${path}`).toMatch(/ aria-label="[^"]+"/);
      expect(html.match(/<h1[ >]/g)?.length ?? 0, `h1 elements on ${path}`).toBe(1);
      checked.push(path);
    }
    // The run's map is a fragment the page loads; its canvas is named as well.
    saveMap(db, { key: runMapKey(1), count: 300, seed: 1, coordinates: new Float32Array(600), seconds: 1 });
    expect(await (await app.request('/maps/run/1')).text()).toMatch(/<canvas [^>]*aria-label="Map of 300 test images[^"]*"/);
    expect(checked).toEqual(expect.arrayContaining(['/runs', '/own-digits', '/dataset', '/compare?runs=1,2', '/no-such-page']));
  });
});

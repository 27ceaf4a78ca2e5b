import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { decideLabel, getLabelDecision, listLabelDecisions } from '../../src/store/label-issues-decisions.ts';
import { tempDir, writeIdxSet } from '../helpers/datasets.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { postForm, webApp } from '../helpers/web.ts';

const SHAPES = ['circle', 'square', 'triangle', 'star'];
const htmx = { 'HX-Request': 'true' };

/** A web app with a registered 4-class IDX dataset `shapes` (8 test images) and a completed run on it that doubts some labels. */
function appWithShapes() {
  const web = webApp();
  registerDataset(web.db, 'shapes', writeIdxSet(path.join(tempDir('review'), 'shapes'), { classes: SHAPES }));
  const test = loadDataset(web.db, 'shapes', 'test');
  recordCompletedRun(web.db, test.labels, { dataset: 'shapes', classes: 4, accuracy: 0.5, seed: 3 });
  return { ...web, test };
}

const shownIndex = (html: string) => Number(/<section id="review" data-index="(\d+)"/.exec(html)?.[1]);

describe("another dataset's label review", () => {
  it("shows its suspects with a button per class by name, and keeps a decision as that dataset's alone", async () => {
    const { app, db, test } = appWithShapes();
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 3, verdict: 'ambiguous', decidedAt: new Date(1000) });
    const mnistBefore = listLabelDecisions(db, 'mnist', 'test');

    const page = await (await app.request('/label-issues?dataset=shapes')).text();
    expect(page).toContain('<h1>Label issues of shapes</h1>');
    expect(page).toContain('<input type="hidden" name="dataset" value="shapes"/>');
    const buttons = [...page.matchAll(/name="decision" value="wrong-(\d+)"[^>]*>\s*([^<]+?)\s*</g)].map((m) => [Number(m[1]), m[2]]);
    expect(buttons).toEqual(SHAPES.map((name, i) => [i, name]));
    // The training set and the seven slices are MNIST's: not offered here.
    expect(page).not.toContain('value="train"');
    expect(page).not.toContain('crossed-seven');
    const shown = shownIndex(page);
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(shown).toBeLessThan(test.count);
    const given = SHAPES[test.labels[shown]!]!;
    expect(page).toContain(`<strong class="given">${given}</strong>`);

    const corrected = (test.labels[shown]! + 1) % 4;
    const answer = await postForm(app, '/label-issues/decide', { dataset: 'shapes', split: 'test', slice: 'all', index: String(shown), decision: `wrong-${corrected}` }, htmx);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('HX-Push-Url')).toMatch(/&dataset=shapes$/);
    expect(getLabelDecision(db, 'shapes', 'test', shown)).toMatchObject({ verdict: 'wrong', correctedLabel: corrected });
    expect(listLabelDecisions(db, 'mnist', 'test')).toEqual(mnistBefore);

    const again = await (await app.request(`/label-issues?dataset=shapes&index=${shown}`)).text();
    expect(again).toContain(`label is wrong: it is a ${SHAPES[corrected]}`);
    // MNIST's review knows nothing of it.
    const mnist = await (await app.request('/api/label-issues/decisions')).json();
    expect(mnist.decisions.map((d: { index: number; verdict: string }) => [d.index, d.verdict])).toEqual([[3, 'ambiguous']]);
    const shapes = await (await app.request('/api/label-issues/decisions?dataset=shapes')).json();
    expect(shapes.decisions).toEqual([expect.objectContaining({ split: 'test', index: shown, label: test.labels[shown], verdict: 'wrong', correctedLabel: corrected })]);
    expect(shapes.dataset.test.labelsSha256).toBe(test.labelsSha256);
  });

  it('refuses a class the dataset lacks, its training set, a seven slice and an unknown dataset, storing nothing', async () => {
    const { app, db } = appWithShapes();
    const decide = (fields: Record<string, string>) => postForm(app, '/label-issues/decide', { dataset: 'shapes', split: 'test', slice: 'all', index: '0', decision: 'right', ...fields });
    const noClass = await decide({ decision: 'wrong-4' });
    expect(noClass.status).toBe(400);
    expect(await noClass.text()).toContain('wrong-0 to wrong-3');
    expect((await decide({ split: 'train' })).status).toBe(400);
    expect((await decide({ slice: 'crossed-seven' })).status).toBe(400);
    expect((await decide({ index: '8' })).status).toBe(400); // 8 test images
    expect((await decide({ dataset: 'no-such' })).status).toBe(404);
    expect(listLabelDecisions(db, 'shapes', 'test')).toEqual([]);
    expect((await app.request('/label-issues?dataset=shapes&split=train')).status).toBe(400);
    expect((await app.request('/label-issues?dataset=no-such')).status).toBe(404);
  });

  it("the dataset page's label issues link to that dataset's review", async () => {
    const { app } = appWithShapes();
    let section = '';
    for (let tries = 0; tries < 100; tries++) {
      section = await (await app.request('/dataset/label-issues?dataset=shapes')).text();
      if (!section.includes('hx-get')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(section).toContain('<a href="/label-issues?dataset=shapes">review them one by one</a>');
    expect(section).not.toContain('/label-issues/training-set');
  });
});

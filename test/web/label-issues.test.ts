import { describe, expect, it } from 'vitest';
import { labelAccuracies } from '../../src/analysis/label-issues/corrected-accuracy.ts';
import { decideLabel, getLabelDecision, listLabelDecisions } from '../../src/store/label-issues-decisions.ts';
import { loadTestPredictions } from '../../src/store/store.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { postForm, webApp } from '../helpers/web.ts';
import { runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';

const htmx = { 'HX-Request': 'true' };

/** A store whose one run predicts the whole test set and calls the images in `doubted` label + 1. */
function appWithLabelIssues(doubted: number[]) {
  const env = webApp();
  const { labels } = env.images;
  const probabilities = new Float32Array(labels.length * 10).fill(0.1 / 9);
  labels.forEach((label, i) => (probabilities[i * 10 + (doubted.includes(i) ? (label + 1) % 10 : label)] = 0.9));
  completeWithoutTraining(env.db, runningRun(env.db), { predicted: new Uint8Array(labels.length), probabilities });
  return env;
}

const shownIndex = (html: string) => Number(/<section id="review" data-index="(\d+)"/.exec(html)?.[1]);

describe('the label issues review', () => {
  it('shows one label issue with its evidence, stores a decision and answers with the next undecided one', async () => {
    const { app, db, images } = appWithLabelIssues([30, 20, 10]);
    const page = await (await app.request('/label-issues')).text();
    // The keyboard script is served from /static: the CSP refuses inline scripts and on* handlers.
    expect(page).toContain('<script src="/static/label-issues.js" defer=""></script>');
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]| on[a-z]+="/);
    expect((await app.request('/static/label-issues.js')).status).toBe(200);
    expect(page).toContain('0 of 3 label issues decided');
    const first = shownIndex(page);
    expect([10, 20, 30]).toContain(first);
    expect(page).toContain(`mean probability`);

    const answer = await postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: String(first), decision: `wrong-${(images.labels[first]! + 1) % 10}` }, htmx);
    expect(answer.status).toBe(200);
    const next = await answer.text();
    expect(next).toContain('1 of 3 label issues decided');
    expect(shownIndex(next)).not.toBe(first);
    expect(getLabelDecision(db, 'mnist', 'test', first)).toMatchObject({ verdict: 'wrong', correctedLabel: (images.labels[first]! + 1) % 10 });

    // Without htmx the form still works: it redirects to the next label issue.
    const plain = await postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: String(shownIndex(next)), decision: 'ambiguous' });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('Location')).toMatch(/^\/label-issues\?split=test&slice=all&index=\d+$/);
    expect(listLabelDecisions(db, 'mnist', 'test').map((d) => d.verdict).sort()).toEqual(['ambiguous', 'wrong']);
  });

  it('keeps its place (issue 27): the URL follows the issue shown, a decision shows as made and says a new one replaces it, a skip decides nothing', async () => {
    const { app } = appWithLabelIssues([30, 20, 10]);
    const decide = (index: number, decision: string) => postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: String(index), decision }, htmx);
    const first = shownIndex(await (await app.request('/label-issues')).text());

    const skipped = await decide(first, 'skip');
    const afterSkip = await skipped.text();
    const second = shownIndex(afterSkip);
    expect(second).not.toBe(first);
    expect(skipped.headers.get('HX-Push-Url')).toBe(`/label-issues?split=test&slice=all&index=${second}`);
    expect(afterSkip).toContain('0 of 3 label issues decided, 1 skipped');
    // Opened again, the skipped one is still undecided, and says when it was skipped.
    expect(await (await app.request(`/label-issues?index=${first}`)).text()).toMatch(/Skipped [^<]*: not decided yet\./);

    const third = shownIndex(await (await decide(second, 'right')).text());
    // Back (or a link) to the decided one shows the decision as made, and that choosing again replaces it.
    const back = await (await app.request(`/label-issues?index=${second}`)).text();
    expect(back).toContain('Decided: <strong>label is right</strong>');
    expect(back).toContain('Choosing again replaces this decision.');
    expect(back).not.toContain('Not decided yet.');
    const redecided = await (await decide(second, 'ambiguous')).text();
    expect(redecided).toContain(`Image #${second}: replaced the earlier decision (label is right) with ambiguous / unreadable.`);
    expect(redecided).toContain('1 of 3 label issues decided, 1 skipped');
    // Deciding over a skip replaces no decision.
    expect(await (await decide(first, 'right')).text()).not.toContain('replaced the earlier decision');

    const last = await decide(third, 'right');
    expect(await last.text()).toContain('3 of 3 label issues decided');
    expect(last.headers.get('HX-Push-Url')).toBe('/label-issues?split=test&slice=all');
  });

  it('says which label issues are left skipped when every other one is decided', async () => {
    const { app } = appWithLabelIssues([10]);
    const html = await (await postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: '10', decision: 'skip' }, htmx)).text();
    expect(html).toContain('0 of 1 label issues decided, 1 skipped');
    expect(html).toContain('Every label issue here is decided or skipped. <a href="/label-issues?split=test&amp;slice=all&amp;index=10">Decide the skipped ones</a>');
  });

  it('changes a decision when asked again, and refuses bad ones with a 400, storing nothing', async () => {
    const { app, db } = appWithLabelIssues([10]);
    await postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: '10', decision: 'right' }, htmx);
    await postForm(app, '/label-issues/decide', { split: 'test', slice: 'all', index: '10', decision: 'skip' }, htmx);
    expect(listLabelDecisions(db, 'mnist', 'test').map((d) => d.verdict)).toEqual(['skip']);
    for (const fields of [
      { split: 'test', slice: 'all', index: '11', decision: 'wrong-10' },
      { split: 'dev', slice: 'all', index: '11', decision: 'right' },
      { split: 'test', slice: 'all', index: '10000', decision: 'right' },
      { split: 'test', slice: 'round', index: '11', decision: 'right' },
    ]) {
      expect((await postForm(app, '/label-issues/decide', fields, htmx)).status).toBe(400);
    }
    expect(listLabelDecisions(db, 'mnist', 'test')).toHaveLength(1);
    expect((await app.request('/label-issues?split=train&slice=all')).status).toBe(200);
    expect((await app.request('/label-issues?split=both')).status).toBe(400);
  });

  it('exports the decisions as JSON and CSV with the labels file sha256', async () => {
    const { app, db, images } = appWithLabelIssues([10]);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 10, verdict: 'wrong', correctedLabel: 3, decidedAt: new Date('2026-12-02T10:00:00Z') });
    const json = await (await app.request('/api/label-issues/decisions')).json();
    expect(json.dataset.test.labelsSha256).toBe(images.dataset.labelsSha256);
    expect(json.decisions).toEqual([{ split: 'test', index: 10, label: images.labels[10], verdict: 'wrong', correctedLabel: 3, decidedAt: '2026-12-02T10:00:00.000Z' }]);
    const csv = await (await app.request('/label-issues/decisions.csv')).text();
    expect(csv).toContain(`test,10,${images.labels[10]},wrong,3,2026-12-02T10:00:00.000Z,${images.dataset.labelsSha256}`);
  });
});

describe('the label issues pages\' addresses from before the rename', () => {
  it('redirect to the new ones, keeping the query, and keep a form post\'s method and body', async () => {
    const { app } = webApp();
    for (const [old, now] of [
      ['/label-review?split=train&slice=crossed-seven&index=7', '/label-issues?split=train&slice=crossed-seven&index=7'],
      ['/label-audit', '/label-issues/training-set'],
      ['/label-audit/3/panel', '/label-issues/training-set/3/panel'],
      ['/api/label-decisions', '/api/label-issues/decisions'],
      ['/label-decisions.csv', '/label-issues/decisions.csv'],
    ]) {
      const moved = await app.request(old!);
      expect([moved.status, moved.headers.get('Location')], old).toEqual([301, now]);
    }
    for (const [old, now] of [['/label-review/decide', '/label-issues/decide'], ['/label-audit', '/label-issues/training-set']]) {
      const moved = await postForm(app, old!, { split: 'test' });
      expect([moved.status, moved.headers.get('Location')], old).toEqual([308, now]);
    }
  });
});

describe('accuracy on corrected labels', () => {
  it('counts a prediction right against the corrected label, and leaves the ambiguous images out', () => {
    const labels = Uint8Array.from([0, 1, 2, 3]);
    const predicted = Uint8Array.from([0, 7, 5, 3]);
    const decisions = [
      { dataset: 'mnist', split: 'test' as const, imageIndex: 1, verdict: 'wrong' as const, correctedLabel: 7, decidedAt: new Date() },
      { dataset: 'mnist', split: 'test' as const, imageIndex: 2, verdict: 'ambiguous' as const, correctedLabel: null, decidedAt: new Date() },
    ];
    expect(labelAccuracies(predicted, labels, decisions)).toEqual({ original: 0.5, corrected: 0.75, withoutAmbiguous: 1, relabelled: 1, ambiguous: 1 });
    // A run on the first two test images only counts the decisions about them.
    expect(labelAccuracies(predicted.subarray(0, 2), labels, decisions)).toMatchObject({ corrected: 1, ambiguous: 0 });
  });

  it('appears on the run page and in the runs list, with the original labels still the headline', async () => {
    const { app, db, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 500), { accuracy: 0.8 });
    const before = await (await app.request(`/runs/${run.id}`)).text();
    expect(before).toContain('test accuracy (original labels)');
    expect(before).toContain('no test label decisions yet');

    const { predicted } = loadTestPredictions(db, run.id)!;
    const wrong = predicted.findIndex((p, i) => p !== images.labels[i]);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: wrong, verdict: 'wrong', correctedLabel: predicted[wrong]! });
    const right = predicted.findIndex((p, i) => p === images.labels[i]);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: right, verdict: 'ambiguous' });
    const correct = predicted.filter((p, i) => p === images.labels[i]).length;
    const pct = (share: number) => `${(share * 100).toFixed(2)}%`;

    const after = await (await app.request(`/runs/${run.id}`)).text();
    expect(after).toContain(`${pct(correct / 500)}</span><span class="label">test accuracy (original labels)`);
    expect(after).toContain(`${pct((correct + 1) / 500)}</span><span class="label">on corrected labels`);
    expect(after).toContain('1 relabelled, 1 ambiguous');
    expect(after).toContain(`${pct(correct / 499)}</span><span class="label">without ambiguous images`);

    const list = await (await app.request('/runs')).text();
    const row = list.slice(list.indexOf(`id="run-${run.id}"`));
    expect(row).toContain(`<td class="num strong">${pct(correct / 500)}</td><td class="num">${pct((correct + 1) / 500)} · ${pct(correct / 499)}</td>`);
  });
});

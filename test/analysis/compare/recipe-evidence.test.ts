import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../db/client.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import type { Hyperparameters } from '../../../src/training/hyperparameters.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { recordCompletedRun } from '../../helpers/recorded-runs.ts';
import { postForm, webApp } from '../../helpers/web.ts';
import { inArray } from 'drizzle-orm';
import { runs } from '../../../db/schema.ts';
import { moreSeedsOf } from '../../../src/analysis/compare/recipe-evidence.ts';
import { seedGroups } from '../../../src/analysis/seed-groups.ts';
import { listRuns } from '../../../src/store/store.ts';

const { labels } = loadMnist('test', { limit: 500 });
let dbFile: string;
let db: Db;

beforeEach(() => {
  dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-recipe-')), 'runs.sqlite');
  db = openDb(dbFile);
});

const record = (seed: number, accuracy: number, params: Partial<Hyperparameters> = {}) =>
  recordCompletedRun(db, labels, { seed, accuracy, params }).id;

async function compareJson(a: number, b: number) {
  const printed = await runCliCaptured(['compare', String(a), String(b), '--json', '--db', dbFile]);
  expect(printed.code, printed.stderr).toBe(0);
  const text = await runCliCaptured(['compare', String(a), String(b), '--db', dbFile]);
  const json = printed.lastJson();
  expect(text.stdout).toContain(`${json.verdict}.`);
  return json;
}

describe('the verdict on two runs says what was tested: the models, the recipes, or neither', () => {
  it('runs that differ only in seed are one recipe: the spread is reported, and no verdict on settings', async () => {
    const [a, b] = [record(1, 0.95), record(2, 0.8)];
    const json = await compareJson(a, b);
    expect(json.sameRecipe).toBe(true);
    expect(json.recipeTest).toBeNull();
    expect(json.mcnemarP).toBeLessThan(0.05);
    expect(json.verdict).toMatch(/^A and B are the same recipe \(only the seed differs\), so there is no verdict on settings/);
    expect(json.verdict).toMatch(/seed-to-seed spread; over its 2 seeds this recipe's test accuracy is \d+\.\d\d% ± \d+\.\d\d points$/);
    expect(json.verdict).not.toMatch(/unlikely to be chance|better|worse/);
    expect(json.seedSpread.n).toBe(2);
  });

  it('a rerun of a seed repeats that draw: it is not counted as one more seed, in the verdict, the groups or more seeds', async () => {
    const [a, b] = [record(1, 0.95), record(2, 0.8)];
    record(1, 0.95); // the same recipe and seed again, as `train it again` makes it
    const json = await compareJson(a, b);
    expect(json.seedSpread.n).toBe(2);
    expect(json.verdict).toMatch(/over its 2 seeds/);
    const [group] = seedGroups(db, listRuns(db).reverse());
    expect(group!.seeds).toEqual([1, 2]);
    expect(moreSeedsOf(db, listRuns(db).find((run) => run.id === a)!).map((params) => params.seed)).toEqual([3]);
  });

  it('one seed a side: the two models differ, and the recipe difference is said to be untested', async () => {
    const [a, b] = [record(1, 0.95), record(2, 0.8, { learningRate: 0.01 })];
    const json = await compareJson(a, b);
    expect(json.sameRecipe).toBe(false);
    expect(json.paramsDiff.learningRate).toEqual({ a: 0.001, b: 0.01 });
    expect(json.recipeTest).toBeNull();
    expect(json.verdict).toMatch(/^B is worse by \d+\.\d points; unlikely to be chance, p < 0\.001 \(McNemar: these two models on these images\)\./);
    expect(json.verdict).toMatch(/Whether the recipes differ is untested: A's recipe has 1 seed and B's 1 seed, and a test across seeds needs at least 2 a side$/);
  });

  it("seeds on both sides: a Welch test across seeds, naming how many each side has", async () => {
    const a = record(1, 0.95);
    record(2, 0.94);
    record(3, 0.96);
    const b = record(4, 0.8, { learningRate: 0.01 });
    record(5, 0.82, { learningRate: 0.01 });
    record(6, 0.81, { learningRate: 0.01 });
    // A run of neither recipe must not join either side.
    record(7, 0.5, { learningRate: 0.1 });
    const json = await compareJson(a, b);
    expect(json.sameRecipe).toBe(false);
    expect(json.recipeTest).toMatchObject({ seedsA: 3, seedsB: 3 });
    expect(json.recipeTest.p).toBeLessThan(0.05);
    expect(json.recipeTest.accuracyDelta).toBeLessThan(-0.1);
    expect(json.recipeRuns).toEqual({ a: [a, a + 1, a + 2], b: [b, b + 1, b + 2] });
    expect(json.verdict).toMatch(
      /Across seeds \(3 of A's recipe, 3 of B's\), B's recipe is on average worse by \d+\.\d points than A's; unlikely to be chance, p = [\d.]+ \(Welch's t on per-seed test accuracy\)$/,
    );
  });

  it('two imported models are two recipes, whatever params they share, and neither offers more seeds', async () => {
    const [a, b] = [record(1, 0.95), record(1, 0.8)];
    db.update(runs).set({ source: 'imported' }).where(inArray(runs.id, [a, b])).run();
    const json = await compareJson(a, b);
    expect(json.sameRecipe).toBe(false);
    expect(json.recipeRuns).toEqual({ a: [a], b: [b] });
    expect(json.verdict).toMatch(/Whether the recipes differ is untested/);
    const [imported] = listRuns(db).filter((run) => run.id === a);
    expect(moreSeedsOf(db, imported!)).toEqual([]);
  });

  it('close recipes with few seeds are called possibly chance', async () => {
    const a = record(1, 0.9);
    record(2, 0.92);
    const b = record(3, 0.91, { batchSize: 32 });
    record(4, 0.9, { batchSize: 32 });
    const json = await compareJson(a, b);
    expect(json.recipeTest.p).toBeGreaterThan(0.05);
    expect(json.verdict).toMatch(/this could be chance, p = [\d.]+ \(Welch's t/);
  });
});

describe('queueing more seeds from /compare', () => {
  it('offers one button when the recipe difference is untested, and it brings each recipe to 3 seeds once', async () => {
    const { db, app } = webApp();
    const a = recordCompletedRun(db, labels, { seed: 1, accuracy: 0.95 }).id;
    const b = recordCompletedRun(db, labels, { seed: 1, accuracy: 0.8, params: { learningRate: 0.01 } }).id;
    const page = await (await app.request(`/compare?runs=${a},${b}`)).text();
    expect(page).toContain('<form method="post" action="/compare/seeds">');
    expect(page).toContain('Queue seeds so each recipe has 3');

    const response = await postForm(app, '/compare/seeds', { a: String(a), b: String(b) });
    expect(response.status).toBe(303);
    const queued = listRuns(db, { statuses: ['queued'] }).sort((x, y) => x.id - y.id);
    expect(queued.map((run) => [run.seed, (run.params as Hyperparameters).learningRate])).toEqual([
      [2, 0.001],
      [3, 0.001],
      [2, 0.01],
      [3, 0.01],
    ]);
    const after = await (await app.request(response.headers.get('location')!)).text();
    expect(after).toContain(`Queued 4 more seeds: <a href="/runs/${queued[0]!.id}">run ${queued[0]!.id}</a>`);

    await postForm(app, '/compare/seeds', { a: String(a), b: String(b) });
    expect(listRuns(db, { statuses: ['queued'] })).toHaveLength(4);
  });

  it('offers no button for runs of one recipe', async () => {
    const { db, app } = webApp();
    const [a, b] = [1, 2].map((seed) => recordCompletedRun(db, labels, { seed }).id);
    const page = await (await app.request(`/compare?runs=${a},${b}`)).text();
    expect(page).toContain('A and B are the same recipe');
    expect(page).not.toContain('/compare/seeds');
  });
});

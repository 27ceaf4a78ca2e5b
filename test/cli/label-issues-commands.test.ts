import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { decideLabel, listLabelDecisions } from '../../src/store/label-issues-decisions.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { loadDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { writeIdxSet } from '../helpers/datasets.ts';
import { runningRun } from '../helpers/db.ts';
import { completeWithoutTraining } from '../analysis/fake-runs.ts';

const test = loadMnist('test');
const SHAPES = ['circle', 'square', 'triangle', 'star'];
const tempDb = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-labels-')), 'runs.sqlite');

/** A run's probabilities over the whole test set: 0.9 on each label, except the listed images, seen as label + 1. */
function probabilities(doubted: number[]): Float32Array {
  const p = new Float32Array(test.count * 10).fill(0.1 / 9);
  test.labels.forEach((label, i) => (p[i * 10 + (doubted.includes(i) ? (label + 1) % 10 : label)] = 0.9));
  return p;
}

describe('digitlab label-issues', () => {
  it('ranks the test images the runs doubt, with the evidence, as {split, runs, issues}', async () => {
    const file = tempDb();
    const db = openDb(file);
    for (const doubted of [[17, 4242], [17, 4242], [4242]]) completeWithoutTraining(db, runningRun(db), { predicted: new Uint8Array(test.count), probabilities: probabilities(doubted) });
    db.$client.close();

    const result = await runCliCaptured(['label-issues', '--split', 'test', '--json', '--db', file]);
    expect(result.code).toBe(0);
    const json = result.lastJson();
    expect(json).toMatchObject({ split: 'test', runs: 3 });
    // Three runs doubt 4242, two doubt 17: that order.
    expect(json.issues.map((issue: { index: number; label: number; suggested: number }) => [issue.index, issue.label, issue.suggested])).toEqual([
      [4242, test.labels[4242], (test.labels[4242]! + 1) % 10],
      [17, test.labels[17], (test.labels[17]! + 1) % 10],
    ]);
    expect(json.issues[0].evidence).toMatchObject({ runs: 3, runsDisagreeing: 3 });
    expect(json.issues[1].evidence).toMatchObject({ runs: 3, runsDisagreeing: 2 });
    expect(json.issues[0].score).toBeGreaterThan(json.issues[1].score);

    const one = await runCliCaptured(['label-issues', '--limit', '1', '--db', file]);
    expect(one.stdout).toContain('1 label issues in the test set from 3 runs');
    expect(one.stdout).toMatch(/4242 {2}\d -> \d/);
  });

  it('says the training set needs a finished training-set search, and exits 2 on bad usage', async () => {
    const file = tempDb();
    const train = await runCliCaptured(['label-issues', '--split', 'train', '--json', '--db', file]);
    expect(train.code).toBe(0);
    expect(train.lastJson()).toMatchObject({ split: 'train', dataset: 'mnist', runs: 0, issues: [] });
    expect(train.stderr).toContain('no finished training-set search');
    for (const bad of [['--limit', '0'], ['--split', 'validation'], ['extra']]) {
      const result = await runCliCaptured(['label-issues', ...bad, '--db', file]);
      expect(result.code).toBe(2);
    }
  });
});

describe('digitlab label-issues-decisions', () => {
  it('exports the decisions as JSON and CSV naming the dataset files, and imports either into another store', async () => {
    const file = tempDb();
    const db = openDb(file);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 4242, verdict: 'wrong', correctedLabel: 3, decidedAt: new Date('2026-12-02T10:00:00Z') });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 7, verdict: 'ambiguous', decidedAt: new Date('2026-12-02T10:01:00Z') });
    db.$client.close();

    const json = (await runCliCaptured(['label-issues-decisions', '--json', '--db', file])).lastJson();
    expect(json.dataset.test).toEqual({ imagesSha256: test.imagesSha256, labelsSha256: test.labelsSha256 });
    expect(json.decisions).toEqual([
      { split: 'test', index: 4242, label: test.labels[4242], verdict: 'wrong', correctedLabel: 3, decidedAt: '2026-12-02T10:00:00.000Z' },
      { split: 'train', index: 7, label: loadMnist('train', { limit: 8 }).labels[7], verdict: 'ambiguous', correctedLabel: null, decidedAt: '2026-12-02T10:01:00.000Z' },
    ]);
    const csv = await runCliCaptured(['label-issues-decisions', '--csv', '--split', 'test', '--db', file]);
    expect(csv.stdout.trim().split('\n')).toEqual([
      'split,index,label,verdict,corrected_label,decided_at,labels_sha256',
      `test,4242,${test.labels[4242]},wrong,3,2026-12-02T10:00:00.000Z,${test.labelsSha256}`,
    ]);

    const dir = path.dirname(file);
    const jsonFile = path.join(dir, 'decisions.json');
    expect((await runCliCaptured(['label-issues-decisions', '--out', jsonFile, '--db', file])).code).toBe(0);
    const fromJson = tempDb();
    const imported = await runCliCaptured(['label-issues-decisions', '--import', jsonFile, '--json', '--db', fromJson]);
    expect(imported.lastJson()).toEqual({ imported: 2, test: 1, train: 1 });
    const csvFile = path.join(dir, 'decisions.csv');
    writeFileSync(csvFile, csv.stdout);
    const fromCsv = tempDb();
    expect((await runCliCaptured(['label-issues-decisions', '--import', csvFile, '--db', fromCsv])).code).toBe(0);
    for (const [store, splits] of [[fromJson, ['test', 'train']], [fromCsv, ['test']]] as const) {
      const reopened = openDb(store);
      const original = openDb(file);
      for (const split of splits) expect(listLabelDecisions(reopened, 'mnist', split)).toEqual(listLabelDecisions(original, 'mnist', split));
      reopened.$client.close();
      original.$client.close();
    }
  });

  it('refuses an import about another labels file, recording none of it, and bad usage, with exit 2', async () => {
    const file = tempDb();
    const dir = path.dirname(file);
    const other = path.join(dir, 'other.csv');
    writeFileSync(
      other,
      `split,index,label,verdict,corrected_label,decided_at,labels_sha256\ntest,1,2,right,,2026-12-02T10:00:00.000Z,${test.labelsSha256}\ntest,2,1,skip,,2026-12-02T10:00:00.000Z,${'0'.repeat(64)}\n`,
    );
    const refused = await runCliCaptured(['label-issues-decisions', '--import', other, '--db', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('sha256');
    const broken = path.join(dir, 'broken.csv');
    writeFileSync(broken, `split,index,label,verdict,corrected_label,decided_at,labels_sha256\ntest,1,2,right,,2026-12-02T10:00:00.000Z,\ntest,99999,1,wrong,3,2026-12-02T10:00:00.000Z,\n`);
    expect((await runCliCaptured(['label-issues-decisions', '--import', broken, '--db', file])).stderr).toContain('no image 99999');
    const db = openDb(file);
    expect(listLabelDecisions(db, 'mnist', 'test')).toEqual([]);
    db.$client.close();
    for (const bad of [['--import', other, '--csv'], ['--import', path.join(dir, 'missing.json')], ['--csv', '--json'], ['--split', 'both']]) {
      expect((await runCliCaptured(['label-issues-decisions', ...bad, '--db', file])).code).toBe(2);
    }
    expect(readFileSync(other, 'utf8')).toContain('skip');
  });

  it("--dataset lists, exports and imports that dataset's decisions by class name, and refuses MNIST's export into it", async () => {
    const file = tempDb();
    const db = openDb(file);
    registerDataset(db, 'shapes', writeIdxSet(path.join(path.dirname(file), 'shapes'), { classes: SHAPES }));
    const shapes = loadDataset(db, 'shapes', 'test');
    decideLabel(db, { dataset: 'shapes', classes: 4, split: 'test', imageIndex: 2, verdict: 'wrong', correctedLabel: 3, decidedAt: new Date('2026-12-02T10:00:00Z') });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 2, verdict: 'right', decidedAt: new Date('2026-12-02T10:01:00Z') });
    db.$client.close();

    const listed = await runCliCaptured(['label-issues-decisions', '--dataset', 'shapes', '--db', file]);
    expect(listed.stdout).toContain(`labelled ${SHAPES[shapes.labels[2]!]}: label is wrong: it is a star`);
    expect(listed.stdout).toMatch(/^1 decisions/);
    const exported = path.join(path.dirname(file), 'shapes.json');
    expect((await runCliCaptured(['label-issues-decisions', '--dataset', 'shapes', '--out', exported, '--db', file])).code).toBe(0);
    expect(JSON.parse(readFileSync(exported, 'utf8')).decisions).toEqual([expect.objectContaining({ index: 2, correctedLabel: 3 })]);

    // Another store that knows shapes takes it; MNIST's export names other labels files.
    const other = tempDb();
    const otherDb = openDb(other);
    registerDataset(otherDb, 'shapes', path.join(path.dirname(file), 'shapes'));
    otherDb.$client.close();
    expect((await runCliCaptured(['label-issues-decisions', '--dataset', 'shapes', '--import', exported, '--json', '--db', other])).lastJson()).toEqual({ imported: 1, test: 1, train: 0 });
    const mnistExport = path.join(path.dirname(file), 'mnist.json');
    expect((await runCliCaptured(['label-issues-decisions', '--out', mnistExport, '--db', file])).code).toBe(0);
    const refused = await runCliCaptured(['label-issues-decisions', '--dataset', 'shapes', '--import', mnistExport, '--db', other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('sha256');
    const reopened = openDb(other);
    expect(listLabelDecisions(reopened, 'shapes', 'test').map((d) => [d.imageIndex, d.correctedLabel])).toEqual([[2, 3]]);
    expect(listLabelDecisions(reopened, 'mnist', 'test')).toEqual([]);
    reopened.$client.close();
    expect((await runCliCaptured(['label-issues-decisions', '--dataset', 'no-such', '--db', file])).stderr).toContain("no dataset named 'no-such'");
  });

  it('still answers to its old name, label-decisions, for scripts written before the rename; help lists only the new one', async () => {
    const file = tempDb();
    const db = openDb(file);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 5, verdict: 'right', decidedAt: new Date('2026-12-02T10:00:00Z') });
    db.$client.close();
    const byOldName = await runCliCaptured(['label-decisions', '--json', '--db', file]);
    expect(byOldName.code).toBe(0);
    expect(byOldName.lastJson()).toEqual((await runCliCaptured(['label-issues-decisions', '--json', '--db', file])).lastJson());
    const overview = (await runCliCaptured(['--help'])).stdout;
    expect(overview).toContain('label-issues-decisions');
    expect(overview).not.toMatch(/^ {2}label-decisions /m);
  });
});

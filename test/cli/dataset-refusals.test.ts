import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { loadDataset } from '../../src/data/datasets/catalogue.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

/** A store file with a completed MNIST run and a completed Fashion-MNIST run, both on the first 500 test images. */
function storeWithTwoDatasets() {
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-refusals-')), 'runs.sqlite');
  const db = openDb(dbFile);
  const mnist = recordCompletedRun(db, loadMnist('test', { limit: 500 }).labels, { seed: 1 });
  const fashion = recordCompletedRun(db, loadDataset(db, 'fashion-mnist', 'test', { limit: 500 }).labels, { seed: 2, dataset: 'fashion-mnist' });
  const fashion2 = recordCompletedRun(db, loadDataset(db, 'fashion-mnist', 'test', { limit: 500 }).labels, { seed: 3, dataset: 'fashion-mnist' });
  const fashionFewer = recordCompletedRun(db, loadDataset(db, 'fashion-mnist', 'test', { limit: 300 }).labels, { seed: 4, dataset: 'fashion-mnist' });
  db.$client.close();
  return { dbFile, mnist, fashion, fashion2, fashionFewer };
}

describe('compare refuses runs that share no test images', () => {
  it('two runs on different datasets: exit 2, naming both datasets', async () => {
    const { dbFile, mnist, fashion } = storeWithTwoDatasets();
    const refused = await runCliCaptured(['compare', String(mnist.id), String(fashion.id), '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`runs ${mnist.id} and ${fashion.id} were tested on different datasets (mnist against fashion-mnist)`);
  });

  it('two Fashion-MNIST runs on different test limits: exit 2; on the same: compared, with its 10 classes', async () => {
    const { dbFile, fashion, fashion2, fashionFewer } = storeWithTwoDatasets();
    const refused = await runCliCaptured(['compare', String(fashion.id), String(fashionFewer.id), '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('different test sets (the first 500 test images against the first 300 test images)');
    const compared = await runCliCaptured(['compare', String(fashion.id), String(fashion2.id), '--db', dbFile, '--json']);
    expect(compared.code).toBe(0);
    const json = compared.lastJson();
    expect(json.images).toBe(500);
    expect(json.a.dataset).toBe('fashion-mnist');
    expect(json.confusionDifference).toHaveLength(10);
  });
});

describe("crossed-seven is MNIST's slice", () => {
  it('on a Fashion-MNIST run (--run) or --dataset fashion-mnist: exit 2 with the reason, no numbers', async () => {
    const { dbFile, fashion, mnist } = storeWithTwoDatasets();
    for (const args of [['--run', String(fashion.id)], ['--dataset', 'fashion-mnist']]) {
      const refused = await runCliCaptured(['slices', 'crossed-seven', ...args, '--db', dbFile, '--json']);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain("crossed-seven is MNIST's slice");
    }
    const onMnist = await runCliCaptured(['slices', 'crossed-seven', '--run', String(mnist.id), '--db', dbFile, '--json']);
    expect(onMnist.code).toBe(0);
    expect(onMnist.lastJson()).toMatchObject({ slice: 'crossed-seven', classCount: 1028 });
    const unknown = await runCliCaptured(['slices', 'crossed-seven', '--dataset', 'no-such', '--db', dbFile]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no dataset named 'no-such'");
  });
});

describe('label-issues --dataset', () => {
  it("ranks Fashion-MNIST's test suspects from the runs on it only, by class name", async () => {
    const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-fashion-issues-')), 'runs.sqlite');
    const db = openDb(dbFile);
    const labels = loadDataset(db, 'fashion-mnist', 'test').labels;
    for (const seed of [1, 2, 3]) recordCompletedRun(db, labels, { seed, dataset: 'fashion-mnist', accuracy: 0.85, epochs: 1 });
    // An MNIST run of the same length must not vote on Fashion-MNIST's labels.
    recordCompletedRun(db, loadMnist('test').labels, { seed: 4, accuracy: 0.1, epochs: 1 });
    db.$client.close();
    const found = await runCliCaptured(['label-issues', '--split', 'test', '--dataset', 'fashion-mnist', '--json', '--limit', '30', '--db', dbFile]);
    expect(found.code).toBe(0);
    const json = found.lastJson();
    expect(json).toMatchObject({ split: 'test', dataset: 'fashion-mnist', runs: 3 });
    expect(json.classes).toContain('Ankle boot');
    expect(json.issues).toHaveLength(30);
    const scores = json.issues.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    for (const issue of json.issues) expect(issue.label).toBe(labels[issue.index]);
    const text = await runCliCaptured(['label-issues', '--dataset', 'fashion-mnist', '--limit', '3', '--db', dbFile]);
    expect(text.stdout).toContain("label issues in fashion-mnist's test set from 3 runs");
    const refused = await runCliCaptured(['label-issues', '--split', 'train', '--dataset', 'fashion-mnist', '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--split train searches MNIST's training set only");
  }, 60_000);
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fashionMnistDataset } from '../../src/data/datasets/catalogue.ts';
import { decodePictureFolder } from '../../src/data/datasets/image-folder.ts';
import { writeNpy } from '../../src/models/imported/prediction-file.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { SHAPE_CLASSES, tempDir, writePictureFolder } from '../helpers/datasets.ts';

const store = () => path.join(tempDir('train-dataset'), 'runs.sqlite');

/** Probabilities that put `confidence` on each label, the rest spread evenly: a known accuracy of 1. */
function confidentRows(labels: Uint8Array, classes: number, confidence = 0.9): Float32Array {
  const rows = new Float32Array(labels.length * classes).fill((1 - confidence) / (classes - 1));
  labels.forEach((label, i) => (rows[i * classes + label] = confidence));
  return rows;
}

describe('training on a dataset other than MNIST', () => {
  it('trains on Fashion-MNIST, names it in the run and its default name, and records its files\' hashes', async () => {
    const db = store();
    const trained = await runCliCaptured(['train', '--dataset', 'fashion-mnist', '--train-limit', '2000', '--test-limit', '500', '--epochs', '1', '--seed', '3', '--json', '--db', db]);
    expect(trained.code).toBe(0);
    const run = trained.lastJson();
    expect(run.status).toBe('completed');
    expect(run.params.dataset).toBe('fashion-mnist');
    expect(run.dataset).toBe('fashion-mnist');
    expect(run.name).toMatch(/^fashion-mnist-/);
    // The hashes of the package's files, as `datasets` lists them (sha256 of the .gz files as stored).
    const train = fashionMnistDataset().load('train', { limit: 1 });
    const test = fashionMnistDataset().load('test', { limit: 1 });
    expect(run.datasetHashes).toEqual({ trainImages: train.imagesSha256, trainLabels: train.labelsSha256, testImages: test.imagesSha256, testLabels: test.labelsSha256 });
    expect(run.testConfusion).toHaveLength(10);
    // Above chance (0.1) after one short epoch: it learnt the clothes, not MNIST's digits.
    expect(run.testAccuracy).toBeGreaterThan(0.4);
    const shown = await runCliCaptured(['runs', '--json', '--db', db]);
    expect(shown.code).toBe(0);
  });

  it('trains on a registered 4-class picture folder: a 4-wide softmax and a 4x4 test confusion', async () => {
    const db = store();
    const folder = writePictureFolder(tempDir('train-shapes'), 8);
    expect((await runCliCaptured(['datasets', 'add', 'shapes', folder, '--db', db])).code).toBe(0);
    const trained = await runCliCaptured(['train', '--dataset', 'shapes', '--epochs', '2', '--batch-size', '8', '--json', '--db', db]);
    expect(trained.stderr).not.toMatch(/failed/);
    expect(trained.code).toBe(0);
    const { runId } = trained.lastJson();
    const shown = (await runCliCaptured(['show', String(runId), '--json', '--db', db])).lastJson();
    expect(shown.status).toBe('completed');
    expect(shown.params.dataset).toBe('shapes');
    expect(shown.params.layers.at(-1)).toEqual({ type: 'dense', units: 4, activation: 'softmax' });
    expect(shown.testConfusion).toHaveLength(4);
    for (const row of shown.testConfusion) expect(row).toHaveLength(4);
    // Every test picture is counted once: 4 per class.
    expect(shown.testConfusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(16);
    expect(Object.keys(shown.datasetHashes)).toEqual(['trainImages', 'trainLabels', 'testImages', 'testLabels']);
  });

  it('refuses a spec with 10 outputs on a 4-class dataset before training, naming the model field, and an unknown dataset', async () => {
    const db = store();
    expect((await runCliCaptured(['datasets', 'add', 'shapes', writePictureFolder(tempDir('refuse-shapes'), 2), '--db', db])).code).toBe(0);
    const spec = path.join(tempDir('spec'), 'ten.json');
    writeFileSync(spec, JSON.stringify({ layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] }));
    const refused = await runCliCaptured(['train', '--dataset', 'shapes', '--model', spec, '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--model ten: the last layer has 10 units, but dataset 'shapes' has 4 classes/);
    const unknown = await runCliCaptured(['train', '--dataset', 'cifar', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--dataset must name a known dataset \(mnist, fashion-mnist, shapes\); got 'cifar'/);
    const runs = (await runCliCaptured(['runs', '--json', '--db', db])).lastJson().runs;
    expect(runs).toEqual([]);
  });

  it('imports a prediction file of a registered dataset, checked against its test labels and class count', async () => {
    const db = store();
    const folder = writePictureFolder(tempDir('import-shapes'), 4);
    expect((await runCliCaptured(['datasets', 'add', 'shapes', folder, '--db', db])).code).toBe(0);
    // The folder's test labels in its own (shuffled) order, 2 pictures of each of the 4 classes.
    const { labels } = decodePictureFolder(folder).splits.test;
    expect(labels).toHaveLength(2 * SHAPE_CLASSES.length);
    const file = path.join(tempDir('import-npy'), 'shapes.npy');
    writeFileSync(file, writeNpy(confidentRows(labels, 4), labels.length));
    const imported = await runCliCaptured(['import', file, '--dataset', 'shapes', '--json', '--db', db]);
    expect(imported.stderr).not.toMatch(/digitlab import:/);
    expect(imported.code).toBe(0);
    const run = imported.lastJson();
    expect(run.params).toEqual({ dataset: 'shapes', testLimit: null });
    expect(run.testAccuracy).toBe(1);
    expect(run.testConfusion).toEqual([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]]);
    // Ten columns are not this dataset's four.
    const ten = path.join(tempDir('import-ten'), 'ten.npy');
    writeFileSync(ten, writeNpy(new Float32Array(8 * 10).fill(0.1), 8));
    const refused = await runCliCaptured(['import', ten, '--dataset', 'shapes', '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/expected \(n, 4\)/);
  });
});

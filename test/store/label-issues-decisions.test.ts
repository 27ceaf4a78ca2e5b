import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { selectBackend } from '../../src/training/backend.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { correctLabels, decideLabel, getLabelDecision, LabelDecisionError, listLabelDecisions } from '../../src/store/label-issues-decisions.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { loadHeldOutPredictions } from '../../src/store/store.ts';
import { runTrainingSplit } from '../../src/training/train.ts';
import { foldOf, runLabelDecisions, trainingSet } from '../../src/training/training-set.ts';
import { memoryDb, runningRun, smallRunParams } from '../helpers/db.ts';
import { storeOn } from '../../src/store/open-store.ts';

const train = loadMnist('train', { limit: 1000 });

describe('label decisions', () => {
  it('keeps one decision per image, the latest, and survives reopening the database file', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'label-decisions-')), 'store.sqlite');
    const db = openDb(file);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 42, verdict: 'wrong', correctedLabel: 7, decidedAt: new Date(1000) });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 42, verdict: 'ambiguous', decidedAt: new Date(2000) });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 42, verdict: 'right' });
    db.$client.close();

    const reopened = openDb(file);
    expect(listLabelDecisions(reopened, 'mnist', 'test')).toEqual([
      { dataset: 'mnist', split: 'test', imageIndex: 42, verdict: 'ambiguous', correctedLabel: null, decidedAt: new Date(2000) },
    ]);
    expect(getLabelDecision(reopened, 'mnist', 'train', 42)?.verdict).toBe('right');
    reopened.$client.close();
  });

  it('refuses a wrong verdict without the digit, and a digit on any other verdict', () => {
    const db = memoryDb();
    expect(() => decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 1, verdict: 'wrong' })).toThrow(LabelDecisionError);
    expect(() => decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 1, verdict: 'wrong', correctedLabel: 10 })).toThrow(LabelDecisionError);
    expect(() => decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 1, verdict: 'right', correctedLabel: 3 })).toThrow(LabelDecisionError);
    expect(listLabelDecisions(db, 'mnist', 'test')).toEqual([]);
  });

  it("keeps each dataset's decisions apart: the same image index in another dataset is another image", () => {
    const db = memoryDb();
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 5, verdict: 'wrong', correctedLabel: 9 });
    decideLabel(db, { dataset: 'shapes', classes: 4, split: 'test', imageIndex: 5, verdict: 'wrong', correctedLabel: 3 });
    decideLabel(db, { dataset: 'shapes', classes: 4, split: 'test', imageIndex: 6, verdict: 'ambiguous' });
    expect(listLabelDecisions(db, 'mnist', 'test').map((d) => [d.imageIndex, d.correctedLabel])).toEqual([[5, 9]]);
    expect(listLabelDecisions(db, 'shapes', 'test').map((d) => [d.imageIndex, d.verdict, d.correctedLabel])).toEqual([
      [5, 'wrong', 3],
      [6, 'ambiguous', null],
    ]);
    expect(getLabelDecision(db, 'fashion-mnist', 'test', 5)).toBeUndefined();
    // A 4-class dataset has no class 4, though MNIST has.
    expect(() => decideLabel(db, { dataset: 'shapes', classes: 4, split: 'test', imageIndex: 7, verdict: 'wrong', correctedLabel: 4 })).toThrow(/0-3 in shapes/);
  });

  it('corrects only the wrong labels, collects the ambiguous ones, and leaves the original untouched', () => {
    const db = memoryDb();
    const labels = Uint8Array.from([0, 1, 2, 3, 4]);
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 1, verdict: 'wrong', correctedLabel: 7 });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 2, verdict: 'ambiguous' });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 3, verdict: 'right' });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 4, verdict: 'skip' });
    // "Wrong, it is a 0" on an image labelled 0 changes nothing and is not counted.
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 0, verdict: 'wrong', correctedLabel: 0 });
    const corrected = correctLabels(labels, listLabelDecisions(db, 'mnist', 'train'));
    expect(Array.from(corrected.labels)).toEqual([0, 7, 2, 3, 4]);
    expect([...corrected.ambiguous]).toEqual([2]);
    expect(corrected.corrected).toBe(1);
    expect(Array.from(labels)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('trainingSet', () => {
  it('puts image i in fold i mod K: each fold run trains on the others and holds out exactly its own', () => {
    const db = memoryDb();
    const folds = 4;
    const heldOutSeen = new Set<number>();
    for (let fold = 0; fold < folds; fold++) {
      const set = trainingSet(listLabelDecisions(db, 'mnist', 'train'), smallRunParams({ trainLimit: 1000, fold, folds }), train);
      const heldOut = Array.from(set.heldOut!.indices);
      expect(heldOut.every((i) => i % folds === fold)).toBe(true);
      expect(heldOut).toHaveLength(250);
      // The held-out images are the split's own, in order, and none of them is trained on.
      expect(Array.from(set.heldOut!.data.labels)).toEqual(heldOut.map((i) => train.labels[i]!));
      expect(set.train.count).toBe(750);
      const trainedOn = Array.from({ length: 1000 }, (_, i) => i).filter((i) => foldOf(i, folds) !== fold);
      expect(Array.from(set.train.labels)).toEqual(trainedOn.map((i) => train.labels[i]!));
      const pixels = (images: Uint8Array, row: number) => Buffer.from(images.subarray(row * 784, (row + 1) * 784)).toString('hex');
      expect(pixels(set.train.images, 1)).toBe(pixels(train.images, trainedOn[1]!));
      heldOut.forEach((i) => heldOutSeen.add(i));
    }
    expect(heldOutSeen.size).toBe(1000);
  });

  it('an ordinary run trains on the split as loaded, with no held-out fold and no corrected-labels hash', () => {
    const db = memoryDb();
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 3, verdict: 'wrong', correctedLabel: 9 });
    const set = trainingSet(listLabelDecisions(db, 'mnist', 'train'), smallRunParams({ trainLimit: 1000 }), train);
    expect(set.train.labels).toEqual(train.labels);
    expect(set.heldOut).toBeNull();
    expect(set.correctedLabelsSha256).toBeNull();
  });

  it('relabels from the training-set decisions only, and leaves out the ambiguous images when asked', () => {
    const db = memoryDb();
    const wrongAs = (train.labels[3]! + 1) % 10;
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 3, verdict: 'wrong', correctedLabel: wrongAs });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 5, verdict: 'ambiguous' });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'test', imageIndex: 4, verdict: 'wrong', correctedLabel: (train.labels[4]! + 1) % 10 });
    const corrected = trainingSet(listLabelDecisions(db, 'mnist', 'train'), smallRunParams({ trainLimit: 1000, labels: 'corrected' }), train);
    expect(corrected.train.labels[3]).toBe(wrongAs);
    expect(corrected.train.labels[4]).toBe(train.labels[4]);
    expect(corrected.train.count).toBe(1000);
    expect(corrected.relabelled).toBe(1);

    const both = trainingSet(listLabelDecisions(db, 'mnist', 'train'), smallRunParams({ trainLimit: 1000, labels: 'corrected', exclude: 'ambiguous' }), train);
    expect(both.train.count).toBe(999);
    expect(both.excluded).toBe(1);
    // Image 5 is gone: row 5 is image 6.
    expect(both.train.labels[5]).toBe(train.labels[6]);
    expect(both.train.labels[3]).toBe(wrongAs);
  });

  it('runTrainingSplit (train embeddings, temperature fit) is the training set the run trained on, split from its end', () => {
    const db = memoryDb();
    const wrongAs = (train.labels[3]! + 1) % 10;
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 3, verdict: 'wrong', correctedLabel: wrongAs });
    decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: 5, verdict: 'ambiguous' });
    const pixels = (images: Uint8Array, row: number) => Buffer.from(images.subarray(row * 784, (row + 1) * 784)).toString('hex');

    const cleaned = smallRunParams({ trainLimit: 1000, validationSplit: 0.2, labels: 'corrected', exclude: 'ambiguous' });
    const { train: learned, validation } = runTrainingSplit(cleaned, runLabelDecisions(db, cleaned));
    // 999 images without image 5: 799 learned from, the last 200 validated on.
    expect(learned.count).toBe(799);
    expect(validation!.count).toBe(200);
    expect(learned.labels[3]).toBe(wrongAs);
    expect(pixels(learned.images, 5)).toBe(pixels(train.images, 6));
    expect(pixels(validation!.images, 199)).toBe(pixels(train.images, 999));

    // A fold run learned from the other folds only; an ordinary run ignores the decisions.
    const fold = smallRunParams({ trainLimit: 1000, validationSplit: 0.2, fold: 1, folds: 4 });
    const folded = runTrainingSplit(fold, runLabelDecisions(db, fold));
    expect(folded.train.count + folded.validation!.count).toBe(750);
    expect(pixels(folded.train.images, 1)).toBe(pixels(train.images, 2));
    const ordinary = smallRunParams({ trainLimit: 1000, validationSplit: 0.2 });
    expect(runLabelDecisions(db, ordinary)).toEqual([]);
    expect(runTrainingSplit(ordinary, []).train.labels[3]).toBe(train.labels[3]);
  });
});

describe('training on corrected labels and on folds', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('train --labels corrected learns the corrected labels and records their sha256 on the run', async () => {
    const db = memoryDb();
    const relabel = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ i, to: (train.labels[i]! + 5) % 10 }));
    for (const { i, to } of relabel) decideLabel(db, { dataset: 'mnist', classes: 10, split: 'train', imageIndex: i, verdict: 'wrong', correctedLabel: to });
    const run = runningRun(db, { trainLimit: 1000, testLimit: 200, labels: 'corrected', workers: 1 });
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
    expect(ended.status).toBe('completed');
    const expected = Uint8Array.from(train.labels);
    for (const { i, to } of relabel) expected[i] = to;
    const hashes = ended.datasetHashes as Record<string, string>;
    expect(hashes.correctedTrainLabels).toBe(createHash('sha256').update(expected).digest('hex'));
    // The original file's hash stays recorded as what was loaded.
    expect(hashes.trainLabels).toBe(train.labelsSha256);
    expect(ended.params).toMatchObject({ labels: 'corrected' });
  });

  it('a fold run stores its predictions of the images it held out, and no others', async () => {
    const db = memoryDb();
    const run = runningRun(db, { trainLimit: 1000, testLimit: 200, validationSplit: 0, fold: 1, folds: 2, workers: 1 });
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm' });
    expect(ended.status).toBe('completed');
    const heldOut = loadHeldOutPredictions(db, run.id)!;
    expect(Array.from(heldOut.indices)).toEqual(Array.from({ length: 500 }, (_, k) => 2 * k + 1));
    expect(heldOut.probabilities).toHaveLength(500 * 10);
    expect(heldOut.dimensions).toBe(64);
    expect(heldOut.embeddings).toHaveLength(500 * 64);
    // Probabilities per image sum to 1, and a model trained on 500 images beats chance on the 500 it never saw.
    let correct = 0;
    for (let k = 0; k < 500; k++) {
      const row = Array.from(heldOut.probabilities.subarray(k * 10, k * 10 + 10));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 4);
      if (row.indexOf(Math.max(...row)) === train.labels[heldOut.indices[k]!]) correct++;
    }
    expect(correct / 500).toBeGreaterThan(0.4);
    const ordinary = runningRun(db, { trainLimit: 1000, testLimit: 200, workers: 1 });
    await executeRun(storeOn(db), ordinary.id, { backend: 'wasm' });
    expect(loadHeldOutPredictions(db, ordinary.id)).toBeNull();
  });
});

import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/experiments/backend.ts';
import { evaluate } from '../../src/experiments/evaluate.ts';
import { executeRun } from '../../src/experiments/experiment.ts';
import { loadMnist } from '../../src/experiments/mnist.ts';
import { buildModel } from '../../src/experiments/model.ts';
import { deserializeModel } from '../../src/experiments/saved-model.ts';
import { epochHistory, loadSavedModel, loadTestEmbeddings, loadTestPredictions, testConfusion } from '../../src/experiments/store.ts';
import { splitForValidation, trainModel } from '../../src/experiments/train.ts';
import { memoryDb, runningRun, smallRunParams } from '../helpers/db.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const train = loadMnist('train', { limit: 2000 });
const test = loadMnist('test', { limit: 500 });

describe('training a run', () => {
  it('takes the validation split from the end of the training arrays, as Keras does', () => {
    const { train: fit, validation } = splitForValidation(train, 0.2);
    expect(fit.count).toBe(1600);
    expect(validation!.count).toBe(400);
    expect(validation!.labels).toEqual(train.labels.subarray(1600));
    expect(splitForValidation(train, 0).validation).toBeNull();
  });

  it('records a completed run whose stored model reproduces its stored predictions', async () => {
    const db = memoryDb();
    const run = runningRun(db);
    const ended = await executeRun(db, run.id, { backend: 'wasm' });
    expect(ended.status).toBe('completed');
    expect(ended.backend).toBe('wasm');
    expect(ended.testAccuracy).toBeGreaterThan(0.6); // chance is 0.1; 1,600 images reach about 0.7
    expect(ended.datasetHashes).toMatchObject({ testLabels: test.labelsSha256 });
    expect(epochHistory(db, run.id)).toHaveLength(1);
    const confusion = testConfusion(db, run.id)!;
    expect(confusion.flat().reduce((a, b) => a + b)).toBe(500);

    const stored = loadTestPredictions(db, run.id)!;
    expect(stored.predicted).toHaveLength(500);
    const reloaded = await deserializeModel(loadSavedModel(db, run.id)!);
    const again = evaluate(reloaded, test);
    expect(again.predicted).toEqual(stored.predicted);
    expect(again.accuracy).toBeCloseTo(ended.testAccuracy!, 10);
    const embeddings = loadTestEmbeddings(db, run.id)!;
    expect(embeddings.dimensions).toBe(64);
    expect(embeddings.vectors).toHaveLength(500 * 64);
    // ReLU activations: never negative, and not all zero.
    expect(embeddings.vectors.every((v) => v >= 0)).toBe(true);
    expect(embeddings.vectors.some((v) => v > 0)).toBe(true);
  });

  it('repeats exactly with the same seed and differs with another', async () => {
    const hyperparameters = smallRunParams({ trainLimit: 1000, epochs: 2 });
    const metrics = async (seed: number) => {
      const result = await trainModel({ train, test, hyperparameters: { ...hyperparameters, seed } });
      result.model.dispose();
      return [...result.epochs.map((e) => [e.loss, e.valLoss]), result.test.loss];
    };
    const first = await metrics(3);
    expect(await metrics(3)).toEqual(first);
    expect(await metrics(4)).not.toEqual(first);
  });

  it('leaves the same number of live tensors after every epoch', async () => {
    const liveAfterEpoch: number[] = [];
    const result = await trainModel({
      train,
      test,
      hyperparameters: smallRunParams({ epochs: 3, trainLimit: 500 }),
      reporter: { onEpoch: () => liveAfterEpoch.push(tf.memory().numTensors) },
    });
    result.model.dispose();
    expect(new Set(liveAfterEpoch).size).toBe(1);
  });

  it('fails a run whose loss turns NaN, saying where', async () => {
    const db = memoryDb();
    const run = runningRun(db);
    const model = buildModel(undefined, 1);
    const [kernel, bias] = model.layers[6]!.getWeights();
    model.layers[6]!.setWeights([tf.fill(kernel!.shape, NaN), bias!]);
    const ended = await executeRun(db, run.id, { backend: 'wasm', initialModel: model });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/training diverged: (loss|model outputs) became NaN at epoch 1, batch 1$/);
  });

  it('cancels between batches when the signal aborts, keeping finished epochs', async () => {
    const db = memoryDb();
    const run = runningRun(db, { epochs: 3, trainLimit: 600 });
    const controller = new AbortController();
    const ended = await executeRun(db, run.id, {
      backend: 'wasm',
      signal: controller.signal,
      reporter: { onEpoch: (e) => e.epoch === 1 && controller.abort() },
    });
    expect(ended).toMatchObject({ status: 'cancelled', testAccuracy: null });
    expect(epochHistory(db, run.id).map((e) => e.epoch)).toEqual([1]);
    expect(loadSavedModel(db, run.id)).toBeNull();
  });

  it('fails with the reason when the MNIST files are missing', async () => {
    const db = memoryDb();
    const run = runningRun(db);
    const mnistDir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-nomnist-'));
    const ended = await executeRun(db, run.id, { backend: 'wasm', mnistDir });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/MNIST file missing/);
  });
});

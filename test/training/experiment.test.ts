import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { evaluate } from '../../src/training/evaluate.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { buildModel } from '../../src/models/model.ts';
import { deserializeModel } from '../../src/models/saved-model.ts';
import { epochHistory, getRun, loadSavedModel, loadTestEmbeddings, loadTestPredictions, testConfusion } from '../../src/store/store.ts';
import type { LiveProgress } from '../../src/training/batch-curve.ts';
import { splitForValidation, trainModel, type BatchProgress } from '../../src/training/train.ts';
import { memoryDb, runningRun, smallRunParams } from '../helpers/db.ts';
import { storeOn } from '../../src/store/open-store.ts';

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
    const batchLosses: number[] = [];
    let recordedAtEpochEnd: LiveProgress | undefined;
    const reporter = {
      onBatch: (p: BatchProgress) => batchLosses.push(p.batchLoss),
      onEpoch: () => (recordedAtEpochEnd = getRun(db, run.id).progress as LiveProgress),
    };
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm', reporter });
    expect(ended.status).toBe('completed');
    // The live curve rode on the progress written at the epoch's last batch: it spans the epoch, starts at the first batch's own loss.
    const curve = recordedAtEpochEnd!.curve;
    expect(curve.at(-1)!.x).toBe(1);
    expect(curve).toHaveLength(batchLosses.length);
    expect(curve[0]!.loss).toBeCloseTo(batchLosses[0]!, 4);
    expect(ended.progress).toBeNull();
    expect(ended.backend).toBe('wasm');
    expect(ended.testAccuracy).toBeGreaterThan(0.6); // chance is 0.1; 1,600 images reach about 0.7
    expect(ended.datasetHashes).toMatchObject({ testLabels: test.labelsSha256 });
    expect(epochHistory(db, run.id)).toHaveLength(1);
    const confusion = testConfusion(db, run.id)!;
    expect(confusion.flat().reduce((a, b) => a + b)).toBe(500);

    const stored = loadTestPredictions(db, run.id)!;
    expect(stored.predicted).toHaveLength(500);
    const reloaded = await deserializeModel(loadSavedModel(db, run.id)!);
    const again = await evaluate(reloaded, test);
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

  it('splits batches across two workers, repeatably and close to one thread', async () => {
    const hyperparameters = smallRunParams({ trainLimit: 1000, epochs: 2, seed: 3 });
    const run = async (workers: number) => {
      const result = await trainModel({ train, test, hyperparameters: { ...hyperparameters, workers } });
      result.model.dispose();
      return { losses: result.epochs.map((e) => e.loss), test: result.test };
    };
    const single = await run(1);
    const parallel = await run(2);
    expect(await run(2)).toEqual(parallel);
    // Shard-summed gradients round differently, so the runs drift apart only slightly.
    parallel.losses.forEach((loss, i) => expect(loss).toBeCloseTo(single.losses[i]!, 2));
    expect(Math.abs(parallel.test.accuracy - single.test.accuracy)).toBeLessThan(0.03);
  });

  it('refuses worker counts it cannot honour, before training', async () => {
    // 1,600 training images after the validation split.
    const attempt = (overrides: Partial<ReturnType<typeof smallRunParams>>) =>
      trainModel({ train, test, hyperparameters: smallRunParams(overrides) });
    await expect(attempt({ workers: 2, batchSize: 1 })).rejects.toThrow(/a batch of 1 images cannot be split across 2 workers/);
    // 1,600 = 3 x 533 + 1: the last batch holds one image.
    await expect(attempt({ workers: 2, batchSize: 533 })).rejects.toThrow(/a batch of 1 images cannot be split/);
    const model = buildModel(undefined, 1);
    await expect(trainModel({ train, test, hyperparameters: smallRunParams({ workers: 2 }), initialModel: model })).rejects.toThrow(
      /fresh model only/,
    );
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
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm', initialModel: model });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/training diverged: (loss|model outputs) became NaN at epoch 1, batch 1$/);
  });

  it('cancels between batches when the signal aborts, keeping finished epochs', async () => {
    const db = memoryDb();
    const run = runningRun(db, { epochs: 3, trainLimit: 600 });
    const controller = new AbortController();
    const ended = await executeRun(storeOn(db), run.id, {
      backend: 'wasm',
      signal: controller.signal,
      reporter: { onEpoch: (e) => e.epoch === 1 && controller.abort() },
    });
    expect(ended).toMatchObject({ status: 'cancelled', testAccuracy: null });
    expect(epochHistory(db, run.id).map((e) => e.epoch)).toEqual([1]);
    expect(loadSavedModel(db, run.id)).toBeNull();
  });

  it('has an epoch in the store before its reporter hears of it, so a kill on seeing the line keeps it', async () => {
    const db = memoryDb();
    const run = runningRun(db, { epochs: 2, trainLimit: 300 });
    const storedWhenReported: number[] = [];
    await executeRun(storeOn(db), run.id, { backend: 'wasm', reporter: { onEpoch: () => storedWhenReported.push(epochHistory(db, run.id).length) } });
    expect(storedWhenReported).toEqual([1, 2]);
  });

  it('fails with the reason when the MNIST files are missing', async () => {
    const db = memoryDb();
    const run = runningRun(db);
    const mnistDir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-nomnist-'));
    const ended = await executeRun(storeOn(db), run.id, { backend: 'wasm', mnistDir });
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/MNIST file missing/);
  });
});

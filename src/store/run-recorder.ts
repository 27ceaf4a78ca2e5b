import type { Db } from '../../db/client.ts';
import { loseAttempt } from './run-attempts.ts';
import type { EpochResult, LiveProgress, StoredParams } from './run-types.ts';
import {
  getRun,
  completeRun,
  endRun,
  logEpoch,
  recordParams,
  recordProgress,
  recordProvenance,
  storeHeldOutPredictions,
  type HeldOutPredictions,
  type RunProvenance,
  type SavedModel,
  type TestOutcome,
} from './store.ts';

/**
 * Where one run's training writes what it learns, in the order it learns it. The SQLite store
 * implements it for runs trained here and an HTTP client for remote workers, so there is one
 * training path (experiment.ts) whichever machine trains.
 */
export interface RunRecorder {
  /** What the run trains with; `decided` is the params as trained when training decided some (the worker count). */
  provenance(provenance: RunProvenance, decided?: StoredParams): void | Promise<void>;
  /** The latest batch-level progress with the curve so far; called about once a second, and a recorder may drop some. */
  progress(progress: LiveProgress): void;
  epoch(epoch: EpochResult): void | Promise<void>;
  /** The test evaluation and weights (and a label-audit fold's held-out predictions); the run is completed once this returns. */
  complete(outcome: TestOutcome, model: SavedModel, heldOut?: HeldOutPredictions): void | Promise<void>;
  /** 'interrupted': stopped by a scheduler or a shutdown, not a person; requeued while retries are left, else failed. */
  end(status: RunEndStatus, error: string): void | Promise<void>;
}

/** How a trainer may end a run short of completing it. */
export const RUN_END_STATUSES = ['failed', 'cancelled', 'interrupted'] as const;
export type RunEndStatus = (typeof RUN_END_STATUSES)[number];

/** The recorder of a run in this machine's store; `retries` is how often an interrupted run is queued again (serve --retry). */
export function storeRecorder(db: Db, runId: number, { retries = 0 }: { retries?: number } = {}): RunRecorder {
  return {
    provenance: (provenance, decided) => {
      recordProvenance(db, runId, provenance);
      if (decided) recordParams(db, runId, decided);
    },
    progress: (progress) => recordProgress(db, runId, progress),
    epoch: (epoch) => logEpoch(db, runId, epoch),
    complete: (outcome, model, heldOut) => {
      if (heldOut) storeHeldOutPredictions(db, runId, heldOut);
      completeRun(db, runId, outcome, model);
    },
    end: (status, error) => {
      if (status === 'interrupted') loseAttempt(db, getRun(db, runId), error, retries);
      else endRun(db, runId, status, error);
    },
  };
}

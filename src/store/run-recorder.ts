import type { Db } from '../../db/client.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import {
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
import type { LiveProgress } from '../training/batch-curve.ts';
import type { EpochResult } from '../training/train.ts';

/**
 * Where one run's training writes what it learns, in the order it learns it. The SQLite store
 * implements it for runs trained here and an HTTP client for remote workers, so there is one
 * training path (experiment.ts) whichever machine trains.
 */
export interface RunRecorder {
  /** What the run trains with; `decided` is the params as trained when training decided some (the worker count). */
  provenance(provenance: RunProvenance, decided?: Hyperparameters): void | Promise<void>;
  /** The latest batch-level progress with the curve so far; called about once a second, and a recorder may drop some. */
  progress(progress: LiveProgress): void;
  epoch(epoch: EpochResult): void | Promise<void>;
  /** The test evaluation and weights (and a label-audit fold's held-out predictions); the run is completed once this returns. */
  complete(outcome: TestOutcome, model: SavedModel, heldOut?: HeldOutPredictions): void | Promise<void>;
  end(status: 'failed' | 'cancelled', error: string): void | Promise<void>;
}

/** The recorder of a run in this machine's store. */
export function storeRecorder(db: Db, runId: number): RunRecorder {
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
    end: (status, error) => endRun(db, runId, status, error),
  };
}

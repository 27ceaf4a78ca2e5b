import type { ImportedModel, ImportedParams } from './imported-runs.ts';
import type { RunRecorder } from './run-recorder.ts';
import type { StoredParams } from './run-types.ts';
import type { Run, RunProvenance, TestResults } from './store.ts';
import type { TrackedEpoch, TrackedRunInput } from './tracked-runs.ts';
import type { WorkerToken } from './worker-tokens.ts';

/**
 * The one writer of runs and their attempts, as every caller outside the store sees it. Its
 * methods are asynchronous and take and return plain values, so that a second backend (PostgreSQL
 * through drizzle's pg driver) can stand behind it without its callers changing: the SQLite one
 * (sqlite-run-store.ts) is chosen where a command or the server opens the store. The lifecycle
 * rules live behind it: which moves are legal (run-lifecycle.ts), and that a requeue clears the
 * attempt's epochs. Reads still take the SQLite handle; they are the next seam, not this one.
 */
export interface RunStore {
  /** A new run, queued; `claim` also claims it for this process at once (a terminal's `train`). */
  create(run: NewRun, options?: { claim?: boolean }): Promise<Run>;
  /** Runs created together, all or none, under a new sweep or label-audit search whose id they carry. */
  createGroup(group: RunGroup, runs: NewRun[]): Promise<{ groupId: number; runs: Run[] }>;
  /** Claims a queued run for this process; false when someone else took it first. */
  claim(runId: number): Promise<boolean>;
  /** Claims the oldest run a remote worker may train (or a Slurm job token's own run); null when none waits. */
  /** `datasets`: the datasets the worker has the server's files of; it claims runs on those only. */
  claimForWorker(claim: { token: WorkerToken; host: string; leaseMs: number; datasets?: readonly string[] }): Promise<Run | null>;

  /** Where one run's training writes what it learns; `retries` is how often an interruption requeues it (serve --retry). */
  recorder(runId: number, options?: { retries?: number }): RunRecorder;
  /** Ends a queued or running run as failed or cancelled, keeping its epochs. */
  end(runId: number, status: 'failed' | 'cancelled', error: string | null): Promise<void>;
  /** Ends the attempt of a run whose trainer is gone: cancelled if asked, requeued while `retries` last, else failed. */
  loseAttempt(run: Run, reason: string, retries: number): Promise<{ run: Run; requeued: boolean }>;
  /** Fails the runs of this host whose training process died; returns them. */
  failDeadRuns(): Promise<Run[]>;
  /** Asks whoever trains the run elsewhere to stop at its next report. */
  requestCancel(runId: number): Promise<void>;

  /** Revokes a worker token and fails the runs it was training; returns their ids. */
  revokeToken(name: string): Promise<number[]>;
  /** A remote worker's heartbeat: a new lease and its latest progress; says whether to stop. */
  renewLease(run: Run, leaseMs: number, progress: unknown): Promise<{ cancel: boolean }>;
  /** Gives every remotely trained or tracked run one more lease (a server that was down heard no heartbeats). */
  extendLeases(leaseMs: number): Promise<void>;
  /** The Slurm job a queued run went to; false when the run was no longer queued. */
  recordSlurmJob(runId: number, jobId: string): Promise<boolean>;
  /** The Slurm job's state in words, as squeue or sacct describes it. */
  recordSlurmState(runId: number, described: string): Promise<void>;

  /** A model trained elsewhere, with its test results, as a completed run. */
  recordImported(run: ImportedRunInput): Promise<Run>;
  /** A run a script trains elsewhere and reports on (the tracking API); running from the start. */
  createTracked(input: TrackedRunInput): Promise<Run>;
  /** A tracked run's sign of life, with its latest progress when it sent some. */
  renewTrackedLease(run: Run, progress: unknown): Promise<void>;
  /** False when the run has that epoch already. */
  logTrackedEpoch(run: Run, epoch: TrackedEpoch): Promise<boolean>;
  storeTrackedPredictions(run: Run, results: TestResults, datasetHashes: Record<string, string>): Promise<void>;
  storeTrackedModel(run: Run, model: Omit<ImportedModel, 'runId'>): Promise<void>;
  endTracked(run: Run, status: 'completed' | 'failed' | 'cancelled', error: string | null): Promise<Run>;

  setTag(runId: number, key: string, value: string): Promise<void>;
  removeTag(runId: number, key: string): Promise<void>;
  setNote(runId: number, note: string): Promise<void>;
  /** Archives runs (or lists them again with `undo`), all or none. */
  archive(runIds: number[], options?: { undo?: boolean }): Promise<{ runId: number; name: string; changed: boolean; archivedAt: Date | null }[]>;
  /** Deletes ended runs with everything they recorded, all or none. */
  delete(runIds: number[]): Promise<{ runId: number; name: string; bytes: number }[]>;
}

export interface NewRun {
  name: string;
  params: StoredParams;
  tags?: Record<string, string>;
}

/** What a group of runs belongs to: a sweep over settings, or a label-audit search's folds. */
export type RunGroup = { sweep: { name: string; axes: Record<string, (number | string)[]>; seeds: number[] } } | { labelAudit: { folds: number } };

export interface ImportedRunInput {
  name: string;
  tags: Record<string, string>;
  params: ImportedParams;
  provenance: RunProvenance;
  imported: Omit<ImportedModel, 'runId'>;
  results: TestResults;
}

import { DomainError } from '../../core/errors.ts';
import { and, asc, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { confusionMatrices, epochMetrics, runAttempts, runs, uploadChunks } from '../../../db/schema.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { endRun, getRun, type Run } from '../../store/store.ts';
import type { WorkerToken } from '../../store/worker-tokens.ts';

/** A worker's report for an attempt that is no longer running (lease expired, cancelled, requeued). */
export class LeaseLostError extends DomainError {
  readonly kind = 'conflict';
  constructor(run: Run, attempt: number) {
    const why = run.attempts !== attempt ? `attempt ${run.attempts} has replaced attempt ${attempt}` : `it is ${run.status}${run.error ? ` (${run.error})` : ''}`;
    super(`run ${run.id} is no longer this worker's: ${why}`);
  }
}

export interface LeasePolicy {
  leaseMs: number;
  heartbeatMs: number;
}

export const DEFAULT_LEASE_MS = 60_000;

/** Beats often enough that two lost heartbeats never cost a lease, and at most once a second. */
export const leasePolicy = (leaseMs = DEFAULT_LEASE_MS): LeasePolicy => ({ leaseMs, heartbeatMs: Math.min(1000, Math.floor(leaseMs / 3)) });

export type AttemptOutcome = 'completed' | 'failed' | 'cancelled' | 'requeued';

/** Label-audit fold runs store held-out predictions that no worker uploads: they train on the server's machine. */
export const remotelyTrainable = sql`json_extract(${runs.params}, '$.folds') IS NULL`;
export const isRemotelyTrainable = (run: Run) => (run.params as Hyperparameters).folds == null;

/**
 * Moves the oldest queued run (or the token's own run, for a Slurm job's token) to running for a
 * remote worker, in one UPDATE, so two workers can never both get it. Null when nothing waits.
 */
export function claimQueuedRun(db: Db, claim: { token: WorkerToken; host: string; leaseMs: number }): Run | null {
  return db.transaction((tx) => {
    const candidate = tx
      .select({ id: runs.id, slurmJobId: runs.slurmJobId })
      .from(runs)
      .where(and(eq(runs.status, 'queued'), remotelyTrainable, claim.token.runId === null ? undefined : eq(runs.id, claim.token.runId)))
      .orderBy(asc(runs.id))
      .limit(1)
      .get();
    if (!candidate) return null;
    const now = new Date();
    const [run] = tx
      .update(runs)
      .set({
        status: 'running',
        source: 'worker',
        startedAt: now,
        pid: null,
        host: claim.host,
        leaseExpiresAt: new Date(now.getTime() + claim.leaseMs),
        cancelRequested: false,
        attempts: sql`${runs.attempts} + 1`,
      })
      .where(and(eq(runs.id, candidate.id), eq(runs.status, 'queued')))
      .returning()
      .all();
    if (!run) return null;
    tx.insert(runAttempts)
      .values({ runId: run.id, attempt: run.attempts, host: claim.host, worker: claim.token.name, slurmJobId: candidate.slurmJobId, startedAt: now })
      .run();
    return run;
  });
}

/** The run, if `attempt` of it is still running on a remote worker; else LeaseLostError. */
export function heldRun(db: Db, runId: number, attempt: number): Run {
  const run = getRun(db, runId);
  if (run.status !== 'running' || run.source !== 'worker' || run.attempts !== attempt) throw new LeaseLostError(run, attempt);
  return run;
}

/** A heartbeat: extends the lease, keeps the latest progress, and says whether to stop. */
export function renewLease(db: Db, runId: number, attempt: number, leaseMs: number, progress: unknown): { cancel: boolean } {
  const run = heldRun(db, runId, attempt);
  db.update(runs)
    .set({ leaseExpiresAt: new Date(Date.now() + leaseMs), ...(progress === undefined ? {} : { progress }) })
    .where(eq(runs.id, runId))
    .run();
  return { cancel: run.cancelRequested };
}

/** Asks the worker training a run to stop; it hears it at its next heartbeat. */
export function requestWorkerCancel(db: Db, runId: number): void {
  db.update(runs).set({ cancelRequested: true }).where(eq(runs.id, runId)).run();
}

export function finishAttempt(db: Db, runId: number, attempt: number, outcome: AttemptOutcome, error: string | null): void {
  db.update(runAttempts)
    .set({ outcome, error, endedAt: new Date() })
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, attempt)))
    .run();
}

export function runAttemptHistory(db: Db, runId: number) {
  return db.select().from(runAttempts).where(eq(runAttempts.runId, runId)).orderBy(runAttempts.attempt).all();
}

/**
 * A server that was down could not hear heartbeats: on start it gives every remote run one more
 * lease, so workers that kept training while it was away are not failed for its absence.
 */
export function extendLeases(db: Db, leaseMs: number): void {
  db.update(runs)
    .set({ leaseExpiresAt: new Date(Date.now() + leaseMs) })
    .where(and(eq(runs.status, 'running'), eq(runs.source, 'worker')))
    .run();
}

/** Ends the attempt of every remote run whose lease ran out (see loseAttempt). */
export function expireLeases(db: Db, options: { retries: number; now?: Date }): { run: Run; requeued: boolean }[] {
  const now = options.now ?? new Date();
  const expired = db
    .select()
    .from(runs)
    .where(and(eq(runs.status, 'running'), eq(runs.source, 'worker'), isNotNull(runs.leaseExpiresAt), lt(runs.leaseExpiresAt, now)))
    .all();
  return expired.map((run) => loseAttempt(db, run, `the worker on ${run.host ?? '?'} stopped reporting: its lease expired at ${run.leaseExpiresAt!.toISOString()}`, options.retries));
}

/**
 * Ends the attempt of a remote run whose worker is gone (`reason` says how): cancelled if a person
 * asked, queued again while it has retries left (its partial epochs cleared, since the next attempt
 * starts over), else failed with the reason, its epochs kept.
 */
export function loseAttempt(db: Db, run: Run, reason: string, retries: number): { run: Run; requeued: boolean } {
  if (run.cancelRequested) {
    endRun(db, run.id, 'cancelled', `cancelled by the user; ${reason}`);
    finishAttempt(db, run.id, run.attempts, 'cancelled', reason);
    return { run: getRun(db, run.id), requeued: false };
  }
  if (run.attempts <= retries) {
    requeue(db, run, reason);
    return { run: getRun(db, run.id), requeued: true };
  }
  endRun(db, run.id, 'failed', reason);
  finishAttempt(db, run.id, run.attempts, 'failed', reason);
  return { run: getRun(db, run.id), requeued: false };
}

function requeue(db: Db, run: Run, reason: string): void {
  db.transaction((tx) => {
    tx.delete(epochMetrics).where(eq(epochMetrics.runId, run.id)).run();
    tx.delete(confusionMatrices).where(eq(confusionMatrices.runId, run.id)).run();
    tx.delete(uploadChunks).where(eq(uploadChunks.runId, run.id)).run();
    tx.update(runs)
      .set({ status: 'queued', startedAt: null, host: null, leaseExpiresAt: null, progress: null, slurmJobId: null, slurmState: null, error: `attempt ${run.attempts}: ${reason}; queued again` })
      .where(eq(runs.id, run.id))
      .run();
  });
  finishAttempt(db, run.id, run.attempts, 'requeued', reason);
}

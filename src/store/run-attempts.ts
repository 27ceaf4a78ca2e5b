import { DomainError } from '../core/errors.ts';
import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { confusionMatrices, epochMetrics, runAttempts, runs, uploadChunks } from '../../db/schema.ts';
import { claimQueued, endRun, finishAttempt, getRun, moveRun, type Run, type Transaction } from './store.ts';
import type { WorkerToken } from './worker-tokens.ts';

/**
 * The attempts of a run: each claim starts one, and it ends with the run or goes back to the
 * queue. Remote workers hold theirs with a lease that their heartbeats renew.
 */

/** A worker's report for an attempt that is no longer running (lease expired, cancelled, requeued). */
export class LeaseLostError extends DomainError {
  readonly kind = 'conflict';
  constructor(run: Run, attempt: number) {
    const why = run.attempts !== attempt ? `attempt ${run.attempts} has replaced attempt ${attempt}` : `it is ${run.status}${run.error ? ` (${run.error})` : ''}`;
    super(`run ${run.id} is no longer this worker's: ${why}`);
  }
}

/** A worker's report on an attempt its token never claimed: some other worker's run, or none. */
export class NotRunHolderError extends DomainError {
  readonly kind = 'forbidden';
  constructor(runId: number, attempt: number, worker: string) {
    super(`token '${worker}' does not hold attempt ${attempt} of run ${runId}: only the worker that claimed an attempt may report on it`);
  }
}

/**
 * Moves the oldest queued run (or the token's own run, for a Slurm job's token) to running for a
 * remote worker. Null when nothing waits.
 */
export function claimQueuedRun(db: Db, claim: { token: WorkerToken; host: string; leaseMs: number; datasets?: readonly string[] }): Run | null {
  return claimQueued(db, { runId: claim.token.runId, remotely: true, datasets: claim.datasets }, { host: claim.host, pid: null, worker: { name: claim.token.name, leaseMs: claim.leaseMs } });
}

/**
 * The run, if `worker` claimed `attempt` of it and that attempt is still running; else
 * NotRunHolderError (someone else's attempt) or LeaseLostError (its own, no longer running).
 */
export function heldRun(db: Db, runId: number, attempt: number, worker: string): Run {
  const run = getRun(db, runId);
  if (attemptWorker(db, runId, attempt) !== worker) throw new NotRunHolderError(runId, attempt, worker);
  if (run.status !== 'running' || run.source !== 'worker' || run.attempts !== attempt) throw new LeaseLostError(run, attempt);
  return run;
}

/** The name of the worker token that claimed this attempt of the run; null for none (or a local attempt). */
export function attemptWorker(db: Db, runId: number, attempt: number): string | null {
  const row = db.select({ worker: runAttempts.worker }).from(runAttempts).where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, attempt))).get();
  return row?.worker ?? null;
}

/** The running runs whose current attempt `worker` (a token's name) claimed. */
export function runsHeldBy(db: Db | Transaction, worker: string): Run[] {
  return db
    .select({ run: runs })
    .from(runs)
    .innerJoin(runAttempts, and(eq(runAttempts.runId, runs.id), eq(runAttempts.attempt, runs.attempts)))
    .where(and(eq(runs.status, 'running'), eq(runs.source, 'worker'), eq(runAttempts.worker, worker)))
    .all()
    .map(({ run }) => run);
}

/** A heartbeat: extends the lease, keeps the latest progress, and says whether to stop. */
export function renewLease(db: Db, run: Run, leaseMs: number, progress: unknown): { cancel: boolean } {
  db.update(runs)
    .set({ leaseExpiresAt: new Date(Date.now() + leaseMs), ...(progress === undefined ? {} : { progress }) })
    .where(eq(runs.id, run.id))
    .run();
  return { cancel: run.cancelRequested };
}

/** Asks the worker training a run to stop; it hears it at its next heartbeat. */
export function requestWorkerCancel(db: Db, runId: number): void {
  db.update(runs).set({ cancelRequested: true }).where(eq(runs.id, runId)).run();
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

/** Running runs of `source` whose lease ran out by `now`: their worker (or tracked script) stopped reporting. */
export function runsWithExpiredLease(db: Db, now: Date, source: 'worker' | 'tracked' = 'worker'): Run[] {
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.status, 'running'), eq(runs.source, source), isNotNull(runs.leaseExpiresAt), lt(runs.leaseExpiresAt, now)))
    .all();
}

/**
 * Ends the attempt of a running run whose trainer is gone or was interrupted (`reason` says how):
 * cancelled if a person asked, queued again while it has retries left (see requeueRun), else
 * failed with the reason, its epochs kept.
 */
export function loseAttempt(db: Db, run: Run, reason: string, retries: number): { run: Run; requeued: boolean } {
  if (run.cancelRequested) {
    endRun(db, run.id, 'cancelled', `cancelled by the user; ${reason}`);
    return { run: getRun(db, run.id), requeued: false };
  }
  if (run.attempts <= retries) {
    requeueRun(db, run, reason);
    return { run: getRun(db, run.id), requeued: true };
  }
  endRun(db, run.id, 'failed', reason);
  return { run: getRun(db, run.id), requeued: false };
}

/**
 * Puts a running run back in the queue. The next attempt starts over, so the epochs, validation
 * matrices and uploads of this one are cleared; the reason stays on the run until it ends.
 */
export function requeueRun(db: Db, run: Run, reason: string): void {
  db.transaction((tx) => {
    tx.delete(epochMetrics).where(eq(epochMetrics.runId, run.id)).run();
    tx.delete(confusionMatrices).where(eq(confusionMatrices.runId, run.id)).run();
    tx.delete(uploadChunks).where(eq(uploadChunks.runId, run.id)).run();
    moveRun(tx, run.id, 'queued', {
      startedAt: null,
      pid: null,
      host: null,
      leaseExpiresAt: null,
      progress: null,
      slurmJobId: null,
      slurmState: null,
      error: `attempt ${run.attempts}: ${reason}; queued again`,
    });
    finishAttempt(tx, run.id, 'requeued', reason);
  });
}

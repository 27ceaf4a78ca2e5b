import { and, eq, inArray, isNotNull, isNull, notInArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { runs } from '../../db/schema.ts';
import { ACTIVE_STATUSES } from './run-lifecycle.ts';
import { remotelyTrainable, type Run } from './store.ts';

/** The Slurm job of each run that serve --executor slurm submits: what the store keeps of it. */

/**
 * Queued runs that no job trains yet, oldest first (label-audit folds train on the server's
 * machine, and so do runs on datasets other than `datasets`, the ones a job's worker has).
 */
export function runsWithoutJob(db: Db, datasets?: readonly string[]): Run[] {
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.status, 'queued'), isNull(runs.slurmJobId), remotelyTrainable, datasets ? inArray(runs.dataset, [...datasets]) : undefined))
    .orderBy(runs.id)
    .all();
}

/** Runs still queued or running whose job is to be followed. */
export function runsWithJob(db: Db): Run[] {
  return db
    .select()
    .from(runs)
    .where(and(inArray(runs.status, ACTIVE_STATUSES), isNotNull(runs.slurmJobId)))
    .all();
}

/**
 * Ended runs whose job was last seen in a state `isLive` calls live: a worker reports the run's end
 * a moment before its job ends, so the job's final state is still to be recorded.
 */
export function endedRunsWithLiveJob(db: Db, isLive: (state: string) => boolean): Run[] {
  return db
    .select()
    .from(runs)
    .where(and(notInArray(runs.status, [...ACTIVE_STATUSES]), isNotNull(runs.slurmJobId), isNotNull(runs.slurmState)))
    .all()
    .filter((run) => isLive(run.slurmState!.split(' ')[0]!));
}

/** Records the job submitted for a queued run; false when the run is no longer queued (cancelled meanwhile). */
export function recordSlurmJob(db: Db, runId: number, jobId: string): boolean {
  const recorded = db
    .update(runs)
    .set({ slurmJobId: jobId, slurmState: 'PENDING' })
    .where(and(eq(runs.id, runId), eq(runs.status, 'queued')))
    .run();
  return recorded.changes === 1;
}

/** The job's state as squeue or sacct last described it. */
export function recordSlurmState(db: Db, runId: number, described: string): void {
  db.update(runs).set({ slurmState: described }).where(eq(runs.id, runId)).run();
}

import type { Db } from '../../../db/client.ts';
import { RunNotOwnedError, type RunQueue } from '../../execution/queue.ts';
import { getSweep, sweepRuns } from './sweep-store.ts';

/** What cancelling a sweep did to each of its runs that had not ended. */
export interface SweepCancellation {
  sweepId: number;
  /** Queued runs, now cancelled. */
  cancelled: number[];
  /** Running runs told to stop: each records its cancellation after its current batch. */
  stopping: number[];
  /** Running runs whose process had died, now marked failed. */
  failed: number[];
  /** Running runs this queue may not signal (trained by a process it did not start), with why. */
  refused: { runId: number; reason: string }[];
}

/**
 * Cancels every queued run of a sweep, then stops its running ones, through the queue's own
 * cancel: the queued ones go first, so that a stopping run frees no slot for one of them.
 * Finished runs stay as they are.
 */
export async function cancelSweep(db: Db, queue: RunQueue, sweepId: number): Promise<SweepCancellation> {
  getSweep(db, sweepId);
  const outcome: SweepCancellation = { sweepId, cancelled: [], stopping: [], failed: [], refused: [] };
  const runs = sweepRuns(db, sweepId);
  for (const status of ['queued', 'running'] as const) {
    for (const run of runs.filter((r) => r.status === status)) {
      try {
        const after = await queue.cancel(run.id);
        if (after.status === 'running') outcome.stopping.push(run.id);
        else if (after.status === 'failed') outcome.failed.push(run.id);
        else if (after.status === 'cancelled') outcome.cancelled.push(run.id);
      } catch (err) {
        if (!(err instanceof RunNotOwnedError)) throw err;
        outcome.refused.push({ runId: run.id, reason: err.message });
      }
    }
  }
  return outcome;
}

/** The cancellation in a sentence or two, for the sweep page and `sweep-cancel`. */
export function cancellationText(outcome: SweepCancellation): string {
  const list = (ids: number[]) => `${ids.length} run${ids.length === 1 ? '' : 's'} (${ids.join(', ')})`;
  const parts = [
    outcome.cancelled.length ? `cancelled ${list(outcome.cancelled)} that had not started` : '',
    outcome.stopping.length ? `stopping ${list(outcome.stopping)} after the current batch` : '',
    outcome.failed.length ? `marked failed ${list(outcome.failed)} whose training process had died` : '',
  ].filter(Boolean);
  const done = parts.length ? `Sweep ${outcome.sweepId}: ${parts.join('; ')}.` : `Sweep ${outcome.sweepId} had no queued or running runs left to cancel.`;
  return [done, ...outcome.refused.map((r) => `Not stopped: ${r.reason}.`)].join(' ');
}

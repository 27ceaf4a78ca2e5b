import type { Db } from '../../../db/client.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Run } from '../../store/store.ts';
import { runsWithExpiredLease } from '../../store/run-attempts.ts';
import type { Executor, LostTrainer } from '../executor.ts';

/** What a run page's Cancel records on a tracked run: its script learns it when its next report is refused. */
export const CANCELLED_TRACKED = "cancelled by the user; its script's further reports are refused";

/**
 * Scripts elsewhere that log their own training (the tracking API): nothing is submitted, and
 * nobody here can train such a run again, so a lost one is never requeued (settleLost with no
 * retries). A cancel ends the run at once: the script has no channel to hear it but its reports.
 */
export class TrackedScripts implements Executor {
  constructor(
    private readonly db: Db,
    private readonly runs: RunStore,
  ) {}

  takes(run: Run): boolean {
    return run.source === 'tracked';
  }

  submitQueued(): void {}

  async cancel(run: Run): Promise<void> {
    await this.runs.end(run.id, 'cancelled', CANCELLED_TRACKED);
  }

  lost(now = new Date()): LostTrainer[] {
    return runsWithExpiredLease(this.db, now, 'tracked').map((run) => ({
      run,
      reason: `the script stopped reporting: its lease expired at ${run.leaseExpiresAt!.toISOString()} (killed, hung or cut off from the server)`,
    }));
  }
}

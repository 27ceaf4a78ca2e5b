import type { Db } from '../../../db/client.ts';
import { runsWithExpiredLease } from '../../store/run-attempts.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Run } from '../../store/store.ts';
import type { Executor, LostTrainer } from '../executor.ts';

/**
 * Remote workers (`digitlab worker`): they claim queued runs over HTTP, so nothing is submitted;
 * a cancel waits for the worker's next heartbeat; a worker is gone when its lease runs out.
 */
export class RemoteWorkers implements Executor {
  constructor(
    private readonly db: Db,
    private readonly runs: RunStore,
  ) {}

  takes(run: Run): boolean {
    return run.status === 'running' && run.source === 'worker';
  }

  submitQueued(): void {}

  async cancel(run: Run): Promise<void> {
    await this.runs.requestCancel(run.id);
  }

  lost(now = new Date()): LostTrainer[] {
    return runsWithExpiredLease(this.db, now).map((run) => ({
      run,
      reason: `the worker on ${run.host ?? '?'} stopped reporting: its lease expired at ${run.leaseExpiresAt!.toISOString()}`,
    }));
  }
}

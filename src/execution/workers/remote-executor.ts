import type { Db } from '../../../db/client.ts';
import { requestWorkerCancel, runsWithExpiredLease } from '../../store/run-attempts.ts';
import type { Run } from '../../store/store.ts';
import type { Executor, LostTrainer } from '../executor.ts';

/**
 * Remote workers (`digitlab worker`): they claim queued runs over HTTP, so nothing is submitted;
 * a cancel waits for the worker's next heartbeat; a worker is gone when its lease runs out.
 */
export class RemoteWorkers implements Executor {
  constructor(private readonly db: Db) {}

  takes(run: Run): boolean {
    return run.status === 'running' && run.source === 'worker';
  }

  submitQueued(): void {}

  cancel(run: Run): void {
    requestWorkerCancel(this.db, run.id);
  }

  lost(now = new Date()): LostTrainer[] {
    return runsWithExpiredLease(this.db, now).map((run) => ({
      run,
      reason: `the worker on ${run.host ?? '?'} stopped reporting: its lease expired at ${run.leaseExpiresAt!.toISOString()}`,
    }));
  }
}

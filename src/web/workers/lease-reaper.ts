import type { Db } from '../../../db/client.ts';
import { settleLost } from '../../execution/executor.ts';
import type { LeasePolicy } from '../../execution/workers/leases.ts';
import { RemoteWorkers } from '../../execution/workers/remote-executor.ts';
import type { RunStore } from '../../store/run-store.ts';
import { TrackedScripts } from '../../execution/tracking/tracked-scripts.ts';

/**
 * Fails (or, with retries left, requeues) runs whose remote worker stopped heartbeating, and fails
 * tracked runs whose script did (never requeued: nobody here can train them). First gives every
 * leased run a fresh lease: while this server was down nobody could renew one.
 */
export async function startLeaseReaper(db: Db, runs: RunStore, leases: LeasePolicy, log: (line: string) => void): Promise<NodeJS.Timeout> {
  await runs.extendLeases(leases.leaseMs);
  const workers = new RemoteWorkers(db, runs);
  const scripts = new TrackedScripts(db, runs);
  return setInterval(() => {
    void settleLost(runs, workers.lost(), leases.retries, log)
      .then(() => settleLost(runs, scripts.lost(), 0, log))
      .catch((err: Error) => log(`could not settle runs whose lease expired: ${err.message}`));
  }, Math.min(1000, leases.heartbeatMs)).unref();
}

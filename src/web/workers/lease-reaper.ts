import type { Db } from '../../../db/client.ts';
import { settleLost } from '../../execution/executor.ts';
import type { LeasePolicy } from '../../execution/workers/leases.ts';
import { RemoteWorkers } from '../../execution/workers/remote-executor.ts';
import { extendLeases } from '../../store/run-attempts.ts';
import { extendTrackedLeases } from '../../store/tracked-runs.ts';
import { TrackedScripts } from '../../execution/tracking/tracked-scripts.ts';

/**
 * Fails (or, with retries left, requeues) runs whose remote worker stopped heartbeating, and fails
 * tracked runs whose script did (never requeued: nobody here can train them). First gives every
 * leased run a fresh lease: while this server was down nobody could renew one.
 */
export function startLeaseReaper(db: Db, leases: LeasePolicy, log: (line: string) => void): NodeJS.Timeout {
  extendLeases(db, leases.leaseMs);
  extendTrackedLeases(db);
  const workers = new RemoteWorkers(db);
  const scripts = new TrackedScripts(db);
  return setInterval(() => {
    settleLost(db, workers.lost(), leases.retries, log);
    settleLost(db, scripts.lost(), 0, log);
  }, Math.min(1000, leases.heartbeatMs)).unref();
}

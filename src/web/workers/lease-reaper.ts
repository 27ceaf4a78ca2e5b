import type { Db } from '../../../db/client.ts';
import { settleLost } from '../../execution/executor.ts';
import type { LeasePolicy } from '../../execution/workers/leases.ts';
import { RemoteWorkers } from '../../execution/workers/remote-executor.ts';
import { extendLeases } from '../../store/run-attempts.ts';

/**
 * Fails (or, with retries left, requeues) runs whose remote worker stopped heartbeating. First
 * gives running remote runs a fresh lease: while this server was down nobody could renew one.
 */
export function startLeaseReaper(db: Db, leases: LeasePolicy, log: (line: string) => void): NodeJS.Timeout {
  extendLeases(db, leases.leaseMs);
  const workers = new RemoteWorkers(db);
  return setInterval(() => settleLost(db, workers.lost(), leases.retries, log), Math.min(1000, leases.heartbeatMs)).unref();
}

import type { Db } from '../../../db/client.ts';
import type { LeasePolicy } from '../../execution/workers/leases.ts';
import { expireLeases, extendLeases } from '../../store/run-attempts.ts';

/**
 * Fails (or, with retries left, requeues) runs whose remote worker stopped heartbeating. First
 * gives running remote runs a fresh lease: while this server was down nobody could renew one.
 */
export function startLeaseReaper(db: Db, leases: LeasePolicy, log: (line: string) => void): NodeJS.Timeout {
  extendLeases(db, leases.leaseMs);
  return setInterval(() => {
    for (const { run, requeued } of expireLeases(db, { retries: leases.retries })) {
      log(`run ${run.id} (${run.name}): ${requeued ? `${run.error}` : `${run.status}: ${run.error}`}`);
    }
  }, Math.min(1000, leases.heartbeatMs)).unref();
}

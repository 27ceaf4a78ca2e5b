/** How remote workers hold their runs: the lease they renew, and how often they beat. */
export interface LeasePolicy {
  leaseMs: number;
  heartbeatMs: number;
  /** Requeues of a run whose worker was lost or interrupted (serve --retry), before it is failed. */
  retries: number;
}

export const DEFAULT_LEASE_MS = 60_000;

/** Beats often enough that two lost heartbeats never cost a lease, and at most once a second. */
export const leasePolicy = (leaseMs = DEFAULT_LEASE_MS, retries = 0): LeasePolicy => ({ leaseMs, heartbeatMs: Math.min(1000, Math.floor(leaseMs / 3)), retries });

// The attempts themselves live in the store, the one writer of runs; pages and the error map read them here.
export { LeaseLostError, runAttemptHistory } from '../../store/run-attempts.ts';

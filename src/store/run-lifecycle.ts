import { DomainError } from '../core/errors.ts';
import type { RunStatus } from '../../db/schema.ts';

/**
 * The run lifecycle: the one table of which status a run may move to from which. A run waits
 * queued, is claimed to running, and ends completed, failed or cancelled; a running run whose
 * trainer was interrupted or lost may go back to queued (requeue), starting over. A queued run
 * may end without starting: cancelled by a person, or failed when its executor could not take it.
 * Ended runs never move again.
 */
const LEGAL_FROM: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running'],
  running: ['queued'],
  completed: ['running'],
  failed: ['queued', 'running'],
  cancelled: ['queued', 'running'],
};

/** The statuses a run may move to `to` from. */
export const legalFrom = (to: RunStatus): readonly RunStatus[] => LEGAL_FROM[to];

export const isLegalTransition = (from: RunStatus, to: RunStatus): boolean => LEGAL_FROM[to].includes(from);

/** A status change the lifecycle does not allow, e.g. ending a run that has completed already. */
export class IllegalTransitionError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    readonly runId: number,
    readonly from: RunStatus,
    readonly to: RunStatus,
  ) {
    const allowed = LEGAL_FROM[to];
    super(`run ${runId} is ${from}: it cannot become ${to} (only a ${allowed.join(' or ')} run can)`);
  }
}

/** Runs that may still change: waiting or training. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running'];

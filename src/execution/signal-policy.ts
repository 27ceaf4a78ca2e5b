import type { RunRecorder } from '../store/run-recorder.ts';
import { CANCELLED_BY_USER } from '../training/cancellation.ts';

/**
 * The one signal policy of a process that trains (`train`, `work`, `worker`). SIGINT comes from a
 * person (Ctrl-C, the cancel button through the queue): the run is cancelled. SIGTERM comes from a
 * scheduler, a time limit or a shutdown (Slurm's scancel and TIMEOUT, systemd, kill): the run is
 * interrupted, which `serve --retry N` requeues and which is otherwise recorded as failed with the
 * cause, never as a person's cancel.
 */
export interface Stop {
  kind: 'cancel' | 'interrupt';
  /** What the run records as its reason. */
  reason: string;
}

export const INTERRUPTED_BY_SIGTERM = 'interrupted by SIGTERM (a scheduler, a time limit or a shutdown stopped its process; not a cancel by a person)';

const STOP_OF: Record<'SIGINT' | 'SIGTERM', Stop> = {
  SIGINT: { kind: 'cancel', reason: CANCELLED_BY_USER },
  SIGTERM: { kind: 'interrupt', reason: INTERRUPTED_BY_SIGTERM },
};

/**
 * Listens for SIGINT and SIGTERM while a process trains. The first stop (a signal, or stop() from
 * the process itself) aborts `signal` with its reason, so training stops after its current batch;
 * a signal after that calls `again` (stop at once). dispose() stops listening.
 */
export class StopSignals {
  private readonly controller = new AbortController();
  private first: Stop | undefined;
  private readonly onInt = () => this.received('SIGINT');
  private readonly onTerm = () => this.received('SIGTERM');

  constructor(private readonly handlers: { stopping?(stop: Stop): void; again?(stop: Stop): void | Promise<void> } = {}) {
    process.on('SIGINT', this.onInt);
    process.on('SIGTERM', this.onTerm);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The stop that ended the training, if any: the first one. */
  get stopped(): Stop | undefined {
    return this.first;
  }

  stop(stop: Stop): void {
    if (this.first) return;
    this.first = stop;
    this.handlers.stopping?.(stop);
    this.controller.abort(stop.reason);
  }

  /**
   * The recorder training records through, with this policy applied: a run that stopped because of
   * an interruption ends 'interrupted', not 'cancelled' (training only knows that it was asked to stop).
   */
  recorder(base: RunRecorder): RunRecorder {
    return {
      provenance: (provenance, decided) => base.provenance(provenance, decided),
      progress: (progress) => base.progress(progress),
      epoch: (epoch) => base.epoch(epoch),
      complete: (outcome, model, heldOut) => base.complete(outcome, model, heldOut),
      end: (status, error) => base.end(status === 'cancelled' && this.first?.kind === 'interrupt' ? 'interrupted' : status, error),
    };
  }

  dispose(): void {
    process.off('SIGINT', this.onInt);
    process.off('SIGTERM', this.onTerm);
  }

  private received(signal: 'SIGINT' | 'SIGTERM'): void {
    if (this.first) this.handlers.again?.(STOP_OF[signal]);
    else this.stop(STOP_OF[signal]);
  }
}

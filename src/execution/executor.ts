import type { RunStore } from '../store/run-store.ts';
import type { Run } from '../store/store.ts';

/** A running run whose trainer is gone, and how it went (a process died, a lease expired, a job ended). */
export interface LostTrainer {
  run: Run;
  reason: string;
}

/**
 * Who trains a run: a child process of this server (`digitlab work`, see queue.ts), a remote
 * worker that claimed it over HTTP, or a Slurm job's worker. The queue reaches each through this
 * seam; each trainer records through the store's RunRecorder, and follows the one signal policy
 * (signal-policy.ts).
 */
export interface Executor {
  /** Whether the run, queued or running, is this executor's to stop and to watch. */
  takes(run: Run): boolean;
  /** Starts what it takes of the queued runs (remote workers pull theirs: nothing to start). */
  submitQueued(): void;
  /** Stops a run it takes; its trainer records the cancellation, as a person's. */
  cancel(run: Run): Promise<void>;
  /** The running runs it takes whose trainer is gone: the one liveness rule is settleLost's. */
  lost(): LostTrainer[] | Promise<LostTrainer[]>;
}

/**
 * The one liveness rule, whoever trained: a run whose trainer is gone is cancelled if a person
 * asked, queued again while `retries` (serve --retry) last, else failed with the reason; the
 * epochs it wrote stay.
 */
export async function settleLost(runs: RunStore, lost: LostTrainer[], retries: number, log: (line: string) => void): Promise<{ run: Run; requeued: boolean }[]> {
  const settled: { run: Run; requeued: boolean }[] = [];
  for (const { run, reason } of lost) {
    const ended = await runs.loseAttempt(run, reason, retries);
    log(`run ${run.id} (${run.name}): ${ended.requeued ? ended.run.error : `${ended.run.status}: ${ended.run.error}`}`);
    settled.push(ended);
  }
  return settled;
}

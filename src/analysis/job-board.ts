import type { JobStatus } from './job-status.ts';

type Report = (fraction: number, stage: string) => void;

interface Running {
  fraction: number;
  stage: string;
  done: Promise<unknown>;
}

/**
 * The long computations a process has under way, by key (a map, a run's robustness curves...):
 * their progress for pages that poll, the error of the last failed one, and one computation
 * shared by everyone who asks for the same key while it runs.
 */
export class JobBoard {
  private readonly running = new Map<string, Running>();
  private readonly failures = new Map<string, string>();

  /** Where the job under `key` stands while it computes or after it failed; null otherwise. */
  status(key: string): Extract<JobStatus<never>, { state: 'computing' | 'failed' }> | null {
    const job = this.running.get(key);
    if (job) return { state: 'computing', fraction: job.fraction, stage: job.stage };
    const error = this.failures.get(key);
    return error ? { state: 'failed', error } : null;
  }

  /**
   * Runs `work` under `key`, forgetting an earlier failure, or joins the computation already under
   * way. `work` reports its progress through the function it is given.
   */
  run<T>(key: string, work: (report: Report) => Promise<T>, firstStage = 'starting'): Promise<T> {
    const inFlight = this.running.get(key);
    if (inFlight) return inFlight.done as Promise<T>;
    this.failures.delete(key);
    const progress = { fraction: 0, stage: firstStage };
    // `work` starts now, not on a later tick, so what it does first (taking a turn in a line,
    // say) happens in the order the jobs were asked for; a throw becomes the job's failure.
    const done = new Promise<T>((resolve) => resolve(work((fraction, stage) => Object.assign(progress, { fraction, stage }))))
      .catch((err: unknown) => {
        this.failures.set(key, err instanceof Error ? err.message : String(err));
        throw err;
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, Object.assign(progress, { done }));
    return done;
  }
}

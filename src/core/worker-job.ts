import { Worker } from 'node:worker_threads';

/** How a job's message handler ends the job. Only the first call counts. */
export interface WorkerJobControl<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * Runs one job in a worker thread on `workerData`, so the caller's event loop keeps serving while
 * it computes. `onMessage` reads the worker's messages (progress, a result, a failure) and ends the
 * job; so does a worker error or an exit before the end. The worker is terminated once it is ended.
 */
export function runWorkerJob<T, M>(
  script: URL,
  workerData: unknown,
  name: string,
  onMessage: (message: M, job: WorkerJobControl<T>) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData });
    let ended = false;
    const end = (outcome: () => void) => {
      if (ended) return;
      ended = true;
      outcome();
      void worker.terminate();
    };
    const job: WorkerJobControl<T> = { resolve: (value) => end(() => resolve(value)), reject: (error) => end(() => reject(error)) };
    worker.on('message', (message: M) => {
      if (!ended) onMessage(message, job);
    });
    worker.on('error', (err) => job.reject(err));
    worker.on('exit', (code) => job.reject(new Error(`the ${name} worker exited with code ${code} before finishing`)));
  });
}

import { Worker } from 'node:worker_threads';

/** How a job's message handler ends the job. Only the first call counts. */
export interface ThreadJobControl<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** The jobs under way in this process, each with what ends it. */
const running = new Set<(error: Error) => void>();

/**
 * Ends every job under way, terminating its thread and failing its promise with `reason`: for a
 * server that is stopping, whose background work (a map, a ranking) would otherwise keep the
 * process alive until it finished.
 */
export function stopAllThreadJobs(reason = 'the process is stopping'): void {
  for (const stop of [...running]) stop(new Error(reason));
}

/**
 * Runs one job in a thread of its own (node:worker_threads) on `workerData`, so the caller's event
 * loop keeps serving while it computes. `onMessage` reads the thread's messages (progress, a result,
 * a failure) and ends the job; so does a thread error or an exit before the end. The thread is
 * terminated once the job is ended. Buffers in `moved` go to the thread without a copy (cloning tens
 * of MB held the event loop 50 to 100 ms) and are empty here afterwards.
 */
export function runThreadJob<T, M>(
  script: URL,
  workerData: unknown,
  name: string,
  onMessage: (message: M, job: ThreadJobControl<T>) => void,
  moved: ArrayBuffer[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const thread = new Worker(script, { workerData, transferList: moved });
    let ended = false;
    const end = (outcome: () => void) => {
      if (ended) return;
      ended = true;
      running.delete(job.reject);
      outcome();
      void thread.terminate();
    };
    const job: ThreadJobControl<T> = { resolve: (value) => end(() => resolve(value)), reject: (error) => end(() => reject(error)) };
    running.add(job.reject);
    thread.on('message', (message: M) => {
      if (!ended) onMessage(message, job);
    });
    thread.on('error', (err) => job.reject(err));
    thread.on('exit', (code) => job.reject(new Error(`the ${name} thread exited with code ${code} before finishing`)));
  });
}

/**
 * The buffer under `bytes` when it holds nothing else, so it may be moved to a thread; else none
 * (a small Buffer can be a slice of a pool that other Buffers share).
 */
export const movableBuffer = (view: ArrayBufferView | null | undefined): ArrayBuffer[] =>
  view && view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? [view.buffer] : [];

import { Worker } from 'node:worker_threads';
import { ImageTooLargeError, UnreadableImageError } from './decode.ts';
import type { PreprocessedDigit } from './preprocess.ts';
import type { PreprocessMessage } from './preprocess-worker.ts';

/**
 * Far longer than a 24 MP photo takes even on a busy machine (seconds), short enough that a
 * picture that keeps a thread busy is given up.
 */
export const PREPROCESS_TIME_LIMIT_MS = 60_000;

/**
 * preprocessDigit in a worker thread with a time limit, so that no picture can stall the caller's
 * event loop (a web server answering everyone else). The clock starts once the worker has loaded
 * its modules, so a slow start on a loaded machine does not count against the picture.
 */
export function preprocessInWorker(bytes: Uint8Array, { timeLimitMs = PREPROCESS_TIME_LIMIT_MS } = {}): Promise<PreprocessedDigit> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./preprocess-worker.mjs', import.meta.url), { workerData: bytes });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void worker.terminate();
    };
    const tooSlow = () => settle(() => reject(new UnreadableImageError(`reading the picture took over ${timeLimitMs / 1000} s and was stopped; try a smaller photo`)));
    worker.on('message', (message: PreprocessMessage) => {
      if (message.kind === 'started') {
        timer = setTimeout(tooSlow, timeLimitMs);
        return;
      }
      settle(() => {
        if (message.kind === 'done') resolve(message.digit);
        else if (message.kind === 'unreadable') reject(message.tooLarge ? new ImageTooLargeError(message.message) : new UnreadableImageError(message.message));
        else reject(new Error(message.error));
      });
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the preprocessing worker exited with code ${code} before finishing`))));
  });
}

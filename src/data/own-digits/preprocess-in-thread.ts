import { runThreadJob } from '../../core/thread-job.ts';
import { ImageTooLargeError, UnreadableImageError } from './decode.ts';
import type { PreprocessedDigit } from './preprocess.ts';
import type { PreprocessMessage } from './preprocess-thread.ts';

/**
 * Far longer than a 24 MP photo takes even on a busy machine (seconds), short enough that a
 * picture that keeps a thread busy is given up.
 */
export const PREPROCESS_TIME_LIMIT_MS = 60_000;

/**
 * preprocessDigit in a worker thread with a time limit, so that no picture can stall the caller's
 * event loop (a web server answering everyone else). The clock starts once the thread has loaded
 * its modules, so a slow start on a loaded machine does not count against the picture.
 */
export function preprocessInThread(bytes: Uint8Array, { timeLimitMs = PREPROCESS_TIME_LIMIT_MS } = {}): Promise<PreprocessedDigit> {
  let timer: NodeJS.Timeout | undefined;
  const script = new URL('./preprocess-thread.mjs', import.meta.url);
  return runThreadJob<PreprocessedDigit, PreprocessMessage>(script, bytes, 'preprocessing', (message, job) => {
    if (message.kind === 'started') {
      const tooSlow = `reading the picture took over ${timeLimitMs / 1000} s and was stopped; try a smaller photo`;
      timer = setTimeout(() => job.reject(new UnreadableImageError(tooSlow)), timeLimitMs);
    } else if (message.kind === 'done') job.resolve(message.digit);
    else if (message.kind === 'unreadable') job.reject(message.tooLarge ? new ImageTooLargeError(message.message) : new UnreadableImageError(message.message));
    else job.reject(new Error(message.error));
  }).finally(() => clearTimeout(timer));
}

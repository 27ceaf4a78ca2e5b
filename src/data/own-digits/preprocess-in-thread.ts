import { ConcurrencyLimit } from '../../core/concurrency-limit.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import { ImageTooLargeError, UnreadableImageError } from './decode.ts';
import type { PreprocessedDigit } from './preprocess.ts';
import type { PreprocessJob, PreprocessMessage } from './preprocess-thread.ts';

/**
 * Far longer than a 24 MP photo takes even on a busy machine (seconds), short enough that a
 * picture that keeps a thread busy is given up.
 */
export const PREPROCESS_TIME_LIMIT_MS = 60_000;

/**
 * Pictures decoded at once in this process; the others wait. A picture at the 24 MP limit takes
 * most of a GB while it is decoded: 8 such uploads at once took a server past 6 GB.
 */
export const PREPROCESS_SLOTS = new ConcurrencyLimit(2);

interface PreprocessOptions {
  timeLimitMs?: number;
  /** Also make the picture a 28x28 image as a picture folder's are (pictureToImage), for runs of such a dataset. */
  asPicture?: boolean;
}

/** The digit preprocessing made, and the picture as a picture folder's image when asked. */
export type PreprocessedPicture = PreprocessedDigit & { asPicture: Uint8Array | null };

/**
 * preprocessDigit in a worker thread with a time limit, so that no picture can stall the caller's
 * event loop (a web server answering everyone else), at most PREPROCESS_SLOTS at once. The clock
 * starts once the thread has loaded its modules, so neither waiting for a slot nor a slow start
 * on a loaded machine counts against the picture.
 */
export function preprocessInThread(bytes: Uint8Array, options: PreprocessOptions = {}): Promise<PreprocessedPicture> {
  return PREPROCESS_SLOTS.run(() => preprocessInOwnThread(bytes, options));
}

function preprocessInOwnThread(bytes: Uint8Array, { timeLimitMs = PREPROCESS_TIME_LIMIT_MS, asPicture = false }: PreprocessOptions): Promise<PreprocessedPicture> {
  let timer: NodeJS.Timeout | undefined;
  const script = new URL('./preprocess-thread.mjs', import.meta.url);
  const job: PreprocessJob = { bytes, asPicture };
  return runThreadJob<PreprocessedPicture, PreprocessMessage>(script, job, 'preprocessing', (message, job) => {
    if (message.kind === 'started') {
      const tooSlow = `reading the picture took over ${timeLimitMs / 1000} s and was stopped; try a smaller photo`;
      timer = setTimeout(() => job.reject(new UnreadableImageError(tooSlow)), timeLimitMs);
    } else if (message.kind === 'done') job.resolve({ ...message.digit, asPicture: message.asPicture });
    else if (message.kind === 'unreadable') job.reject(message.tooLarge ? new ImageTooLargeError(message.message) : new UnreadableImageError(message.message));
    else job.reject(new Error(message.error));
  }).finally(() => clearTimeout(timer));
}

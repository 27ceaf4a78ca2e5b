// Preprocesses one picture off the main thread: the parent's event loop (a web server) stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { ImageTooLargeError, UnreadableImageError } from './decode.ts';
import { preprocessDigit, type PreprocessedDigit } from './preprocess.ts';

export type PreprocessMessage =
  | { kind: 'started' }
  | { kind: 'done'; digit: PreprocessedDigit }
  | { kind: 'unreadable'; message: string; tooLarge: boolean }
  | { kind: 'failed'; error: string };

function answer(bytes: Uint8Array): PreprocessMessage {
  try {
    return { kind: 'done', digit: preprocessDigit(bytes) };
  } catch (err) {
    if (err instanceof UnreadableImageError) return { kind: 'unreadable', message: err.message, tooLarge: err instanceof ImageTooLargeError };
    return { kind: 'failed', error: (err as Error).stack ?? String(err) };
  }
}

// Loading this thread's modules can take seconds on a busy machine: the time limit starts here.
parentPort!.postMessage({ kind: 'started' } satisfies PreprocessMessage);
parentPort!.postMessage(answer(workerData as Uint8Array));

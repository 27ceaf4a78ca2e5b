// Preprocesses one picture off the main thread: the parent's event loop (a web server) stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { ImageTooLargeError, UnreadableImageError } from './decode.ts';
import { pictureToImage } from '../datasets/picture.ts';
import { preprocessDigit, type PreprocessedDigit } from './preprocess.ts';

/** The picture, and whether to make it a 28x28 image as a picture folder's pictures are made too. */
export interface PreprocessJob {
  bytes: Uint8Array;
  asPicture: boolean;
}

export type PreprocessMessage =
  | { kind: 'started' }
  | { kind: 'done'; digit: PreprocessedDigit; asPicture: Uint8Array | null }
  | { kind: 'unreadable'; message: string; tooLarge: boolean }
  | { kind: 'failed'; error: string };

function answer({ bytes, asPicture }: PreprocessJob): PreprocessMessage {
  try {
    return { kind: 'done', digit: preprocessDigit(bytes), asPicture: asPicture ? pictureToImage(bytes) : null };
  } catch (err) {
    if (err instanceof UnreadableImageError) return { kind: 'unreadable', message: err.message, tooLarge: err instanceof ImageTooLargeError };
    return { kind: 'failed', error: (err as Error).stack ?? String(err) };
  }
}

// Loading this thread's modules can take seconds on a busy machine: the time limit starts here.
parentPort!.postMessage({ kind: 'started' } satisfies PreprocessMessage);
parentPort!.postMessage(answer(workerData as PreprocessJob));

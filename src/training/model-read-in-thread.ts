import { ConcurrencyLimit } from '../core/concurrency-limit.ts';
import { runThreadJob } from '../core/thread-job.ts';
import { ImportError } from '../models/imported/classifier.ts';
import { withModelDataBuffer } from '../store/imported-runs.ts';
import type { ModelReading, ModelReadJob } from './model-read.ts';

export type ModelReadMessage =
  | { kind: 'step'; step: string }
  | { kind: 'done'; reading: ModelReading }
  | { kind: 'failed'; error: string; importError: boolean };

/**
 * Model files read at once in this process; the others wait. A 50 MB model with its test outputs
 * takes hundreds of MB while it is read (a 12,000-wide embedding of 10,000 images alone is 480 MB).
 */
export const MODEL_READ_SLOTS = new ConcurrencyLimit(2);

/**
 * readModel in a thread of its own, at most MODEL_READ_SLOTS at once. Loading a large model,
 * trying it on the trial images and predicting the test set held a server's event loop for 0.1
 * to several seconds; here the server keeps answering. Steps are told as the thread reaches them.
 */
export function readModelInThread(job: ModelReadJob, step: (step: string) => void = () => {}): Promise<ModelReading> {
  const script = new URL('./model-read-thread.mjs', import.meta.url);
  return MODEL_READ_SLOTS.run(() =>
    runThreadJob<ModelReading, ModelReadMessage>(script, job, 'model reading', (message, control) => {
      if (message.kind === 'step') step(message.step);
      else if (message.kind === 'done') control.resolve({ ...message.reading, imported: withModelDataBuffer(message.reading.imported) });
      else control.reject(message.importError ? new ImportError(message.error) : new Error(message.error));
    }),
  );
}

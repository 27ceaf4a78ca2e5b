import { HTTPException } from 'hono/http-exception';
import { runThreadJob } from '../../core/thread-job.ts';
import type { Parsed } from '../../execution/tracking/tracked-reports.ts';

export interface PredictionsJob {
  /** Where the PUT's body was written as it arrived: JSON text, read and decoded in the thread. */
  file: string;
  testImages: number;
  classes: number;
}

export type PredictionsMessage =
  | { kind: 'parsed'; parsed: Parsed<Float32Array> }
  | { kind: 'bad-request'; error: string }
  | { kind: 'failed'; error: string };

/**
 * A tracked run's predictions body read as jsonObject and parseTrackedPredictions read it, in a
 * worker thread: the same 400s for a body that is not a JSON object, the same problems for rows
 * that are not `classes` numbers each.
 */
export function trackedPredictionsInThread(file: string, testImages: number, classes: number): Promise<Parsed<Float32Array>> {
  const job: PredictionsJob = { file, testImages, classes };
  return runThreadJob<Parsed<Float32Array>, PredictionsMessage>(new URL('./predictions-thread.mjs', import.meta.url), job, 'predictions', (message, control) => {
    if (message.kind === 'parsed') control.resolve(message.parsed);
    else if (message.kind === 'bad-request') control.reject(new HTTPException(400, { message: message.error }));
    else control.reject(new Error(message.error));
  });
}

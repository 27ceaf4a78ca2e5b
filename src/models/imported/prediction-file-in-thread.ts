import { runThreadJob } from '../../core/thread-job.ts';
import { ImportError } from './classifier.ts';
import type { PredictionTable } from './prediction-file.ts';

export interface PredictionFileJob {
  file: string;
  format: 'npy' | 'csv';
  /** Columns a row must have: the dataset's class count. */
  classes: number;
}

export type PredictionFileMessage = { kind: 'done'; table: PredictionTable; sha256: string } | { kind: 'failed'; error: string; importError: boolean };

/** Reads, hashes and parses a .npy or .csv prediction file in a worker thread; a bad file rejects with ImportError. */
export function readPredictionFileInThread(file: string, format: 'npy' | 'csv', classes: number): Promise<{ table: PredictionTable; sha256: string }> {
  const job: PredictionFileJob = { file, format, classes };
  return runThreadJob<{ table: PredictionTable; sha256: string }, PredictionFileMessage>(new URL('./prediction-file-thread.mjs', import.meta.url), job, 'prediction file', (message, control) => {
    if (message.kind === 'done') control.resolve({ table: message.table, sha256: message.sha256 });
    else control.reject(message.importError ? new ImportError(message.error) : new Error(message.error));
  });
}

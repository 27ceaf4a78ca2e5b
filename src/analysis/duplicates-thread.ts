// Finds duplicates between two splits off the main thread: the parent's event loop (a web server) stays free.
import { parentPort, workerData } from 'node:worker_threads';
import type { DatasetSplit } from '../data/datasets/dataset.ts';
import { findDuplicates, type Duplicates } from './duplicates.ts';

export interface DuplicatesJob {
  train: DatasetSplit;
  test: DatasetSplit;
}

export type DuplicatesMessage = { kind: 'done'; duplicates: Duplicates } | { kind: 'failed'; error: string };

const { train, test } = workerData as DuplicatesJob;
let message: DuplicatesMessage;
try {
  message = { kind: 'done', duplicates: findDuplicates(train, test) };
} catch (err) {
  message = { kind: 'failed', error: (err as Error).stack ?? String(err) };
}
parentPort!.postMessage(message);

// Reads both splits of a dataset and computes the dataset page's facts off the main thread (about a second).
import { parentPort, workerData } from 'node:worker_threads';
import { idleThisThread } from '../../core/thread-priority.ts';
import { datasetInThread, DEFAULT_DATASET, type ThreadDataset } from '../../data/datasets/catalogue.ts';
import { datasetFacts, type DatasetFacts } from '../dataset-facts.ts';

export type FactsMessage = { kind: 'done'; facts: DatasetFacts } | { kind: 'failed'; error: string };

idleThisThread();
let message: FactsMessage;
try {
  const dataset = datasetInThread(workerData as ThreadDataset);
  // The crossed-seven detector reads MNIST's sevens: another dataset's label 7 is something else.
  const options = { classes: dataset.classNames.length, sevens: dataset.name === DEFAULT_DATASET };
  message = { kind: 'done', facts: datasetFacts(dataset.load('train'), dataset.load('test'), options) };
} catch (err) {
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(message);

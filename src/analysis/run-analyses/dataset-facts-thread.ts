// Reads both MNIST splits and computes the dataset page's facts off the main thread (about a second).
import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../../core/thread-priority.ts';
import { loadMnist } from '../../data/mnist.ts';
import { datasetFacts, type DatasetFacts } from '../dataset-facts.ts';

export type FactsMessage = { kind: 'done'; facts: DatasetFacts } | { kind: 'failed'; error: string };

lowerThisThreadsPriority();
let message: FactsMessage;
try {
  message = { kind: 'done', facts: datasetFacts(loadMnist('train'), loadMnist('test')) };
} catch (err) {
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(message);

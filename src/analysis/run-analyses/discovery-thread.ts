// Clusters a run's embeddings off the main thread (seconds for 10,000 images): the parent's event loop stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../../core/thread-priority.ts';
import { discoverSlices, type DiscoveredSlice, type DiscoveryInput } from '../slice-discovery.ts';

export type DiscoveryMessage = { kind: 'done'; slices: DiscoveredSlice[] } | { kind: 'failed'; error: string };

lowerThisThreadsPriority();
let message: DiscoveryMessage;
try {
  message = { kind: 'done', slices: discoverSlices(workerData as DiscoveryInput) };
} catch (err) {
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(message);

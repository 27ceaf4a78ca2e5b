// Clusters a run's embeddings off the main thread (seconds for 10,000 images): the parent's event loop stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { idleThisThread } from '../../core/thread-priority.ts';
import { unpackTestEmbeddings, type PackedTestEmbeddings } from '../../store/store.ts';
import { discoverSlices, type DiscoveredSlice, type DiscoveryInput } from '../slice-discovery.ts';

/** The embeddings arrive packed, as stored: decoding 10,000 of them is the thread's work too. */
export type DiscoveryJob = Omit<DiscoveryInput, 'embeddings'> & { embeddings: PackedTestEmbeddings };

export type DiscoveryMessage = { kind: 'done'; slices: DiscoveredSlice[] } | { kind: 'failed'; error: string };

idleThisThread();
let message: DiscoveryMessage;
try {
  const job = workerData as DiscoveryJob;
  message = { kind: 'done', slices: discoverSlices({ ...job, embeddings: unpackTestEmbeddings(job.embeddings) }) };
} catch (err) {
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(message);

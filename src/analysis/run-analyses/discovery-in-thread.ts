import { runThreadJob } from '../../core/thread-job.ts';
import type { DiscoveredSlice } from '../slice-discovery.ts';
import type { DiscoveryJob, DiscoveryMessage } from './discovery-thread.ts';

/** discoverSlices in a worker thread at low priority, which decodes the embeddings too, so the caller's event loop keeps serving. */
export function discoverSlicesInThread(input: DiscoveryJob): Promise<DiscoveredSlice[]> {
  return runThreadJob<DiscoveredSlice[], DiscoveryMessage>(new URL('./discovery-thread.mjs', import.meta.url), input, 'slice discovery', (message, control) =>
    message.kind === 'done' ? control.resolve(message.slices) : control.reject(new Error(message.error)),
  );
}

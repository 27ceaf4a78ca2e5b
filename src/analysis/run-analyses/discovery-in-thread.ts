import { runThreadJob } from '../../core/thread-job.ts';
import type { DiscoveredSlice, DiscoveryInput } from '../slice-discovery.ts';
import type { DiscoveryMessage } from './discovery-thread.ts';

/** discoverSlices in a worker thread at low priority, so the caller's event loop keeps serving. */
export function discoverSlicesInThread(input: DiscoveryInput): Promise<DiscoveredSlice[]> {
  return runThreadJob<DiscoveredSlice[], DiscoveryMessage>(new URL('./discovery-thread.mjs', import.meta.url), input, 'slice discovery', (message, control) =>
    message.kind === 'done' ? control.resolve(message.slices) : control.reject(new Error(message.error)),
  );
}

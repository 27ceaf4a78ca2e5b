import { runThreadJob } from '../../core/thread-job.ts';
import type { LayoutInput } from './layout-input.ts';
import type { LayoutJob, LayoutMessage } from './layout-thread.ts';
import type { LayoutOptions } from './umap-layout.ts';

/** umapLayout in a worker thread, so the caller's event loop keeps serving while it computes. */
export function umapLayoutInThread(input: LayoutInput, options: LayoutOptions = {}): Promise<Float32Array> {
  const { onProgress, ...rest } = options;
  const job: LayoutJob = { input, options: rest };
  return runThreadJob<Float32Array, LayoutMessage>(new URL('./layout-thread.mjs', import.meta.url), job, 'layout', (message, control) => {
    if (message.kind === 'progress') onProgress?.(message.fraction, message.stage);
    else control.resolve(message.coordinates);
  });
}

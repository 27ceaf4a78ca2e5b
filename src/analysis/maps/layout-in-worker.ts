import { Worker } from 'node:worker_threads';
import type { LayoutJob, LayoutMessage } from './layout-worker.ts';
import type { LayoutOptions } from './umap-layout.ts';

/** umapLayout in a worker thread, so the caller's event loop keeps serving while it computes. */
export function umapLayoutInWorker(data: Float32Array | Uint8Array, dimensions: number, options: LayoutOptions = {}): Promise<Float32Array> {
  const { onProgress, ...rest } = options;
  const job: LayoutJob = { data, dimensions, options: rest };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./layout-worker.mjs', import.meta.url), { workerData: job });
    let finished = false;
    worker.on('message', (message: LayoutMessage) => {
      if (message.kind === 'progress') onProgress?.(message.fraction, message.stage);
      else {
        finished = true;
        resolve(message.coordinates);
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (!finished) reject(new Error(`the layout worker exited with code ${code} before finishing`));
    });
  });
}

// Runs one UMAP layout off the main thread: the parent's event loop (a web server) stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { layoutRows, type LayoutInput } from './layout-input.ts';
import { umapLayout, type LayoutOptions } from './umap-layout.ts';
import { idleThisThread } from '../../core/thread-priority.ts';

export interface LayoutJob {
  input: LayoutInput;
  options: Omit<LayoutOptions, 'onProgress'>;
}

export type LayoutMessage =
  | { kind: 'progress'; fraction: number; stage: string }
  | { kind: 'done'; coordinates: Float32Array };

idleThisThread();
const job = workerData as LayoutJob;
const post = (message: LayoutMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
if (job.input.kind === 'test-pixels') post({ kind: 'progress', fraction: 0, stage: 'reading the test set' });
const { data, dimensions } = layoutRows(job.input);
const coordinates = umapLayout(data, dimensions, {
  ...job.options,
  onProgress: (fraction, stage) => post({ kind: 'progress', fraction, stage }),
});
post({ kind: 'done', coordinates }, [coordinates.buffer as ArrayBuffer]);

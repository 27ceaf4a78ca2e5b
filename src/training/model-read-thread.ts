// Reads one model file off the main thread (model-read-in-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { ImportError } from '../models/imported/classifier.ts';
import { readModel, type ModelReadJob } from './model-read.ts';
import type { ModelReadMessage } from './model-read-in-thread.ts';

const post = (message: ModelReadMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
try {
  const reading = await readModel(workerData as ModelReadJob, (step) => post({ kind: 'step', step }));
  // The file's bytes and the outputs cross without a copy: tens of MB for a large model.
  const buffers = [reading.imported.modelData?.buffer, reading.outputs?.probabilities.buffer, reading.outputs?.embeddings?.buffer];
  post({ kind: 'done', reading }, [...new Set(buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0))]);
} catch (err) {
  // An ImportError is the file's fault and crosses as one; anything else is a failure of ours.
  post({ kind: 'failed', error: err instanceof Error ? err.message : String(err), importError: err instanceof ImportError });
}

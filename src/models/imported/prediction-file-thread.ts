// Reads, hashes and parses a prediction file off the main thread: a 40 MB CSV held a server's event loop for 4 s.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ImportError } from './classifier.ts';
import { parseCsv, parseNpy } from './prediction-file.ts';
import type { PredictionFileJob, PredictionFileMessage } from './prediction-file-in-thread.ts';

const { file, format, classes } = workerData as PredictionFileJob;
let message: PredictionFileMessage;
try {
  const bytes = readFileSync(file);
  const table = format === 'npy' ? parseNpy(bytes, classes) : parseCsv(bytes.toString('utf8'), classes);
  message = { kind: 'done', table, sha256: createHash('sha256').update(bytes).digest('hex') };
} catch (err) {
  // An ImportError's message is for the person importing; it crosses as such.
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err), importError: err instanceof ImportError };
}
parentPort!.postMessage(message, message.kind === 'done' ? [message.table.values.buffer as ArrayBuffer] : []);

// One write that carries a model file, on a connection of this thread's own (model-file-writes.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../../db/client.ts';
import { performModelFileWrite, type ModelFileWrite, type ModelFileWriteMessage } from './model-file-writes.ts';

const { file, write } = workerData as { file: string; write: ModelFileWrite };
let message: ModelFileWriteMessage;
const db = openDb(file);
try {
  message = { kind: 'done', run: performModelFileWrite(db, write) };
} catch (err) {
  message = { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
} finally {
  db.$client.close();
}
parentPort!.postMessage(message);

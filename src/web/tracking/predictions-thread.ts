// Decodes, parses and checks a script's predictions off the main thread: JSON.parse of the 16 MB a
// PUT may carry, with the depth count before it, held a server's event loop for a quarter of a second.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { HTTPException } from 'hono/http-exception';
import { parseTrackedPredictions } from '../../execution/tracking/tracked-reports.ts';
import { parseJsonObject } from '../json-body.ts';
import type { PredictionsJob, PredictionsMessage } from './predictions-in-thread.ts';

const { file, testImages, classes } = workerData as PredictionsJob;
let message: PredictionsMessage;
try {
  message = { kind: 'parsed', parsed: parseTrackedPredictions(parseJsonObject(readFileSync(file, 'utf8')), testImages, classes) };
} catch (err) {
  // A 400 (not JSON, too deep, not an object) is for the script's author; it crosses as such.
  message = err instanceof HTTPException ? { kind: 'bad-request', error: err.message } : { kind: 'failed', error: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(message, message.kind === 'parsed' && message.parsed.ok ? [message.parsed.value.buffer as ArrayBuffer] : []);

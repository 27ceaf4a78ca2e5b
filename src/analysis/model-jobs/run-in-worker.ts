import { Worker } from 'node:worker_threads';
import type { Hyperparameters } from '../../experiments/hyperparameters.ts';
import type { LabelCorrection } from '../../experiments/label-decisions.ts';
import type { PortableModel } from '../../experiments/probability-fn.ts';
import type { StoredEmbeddings } from '../../experiments/train-embeddings.ts';
import type { RobustnessCurve } from '../robustness/robustness.ts';

/** What a model worker is asked to do. */
export type ModelJob =
  | { kind: 'robustness'; model: PortableModel; transforms: string[]; testLimit: number | null }
  | { kind: 'train-embeddings'; model: PortableModel; params: Hyperparameters; labelDecisions: LabelCorrection[] };

export type ModelJobResult = { kind: 'robustness'; curves: RobustnessCurve[]; count: number } | ({ kind: 'train-embeddings' } & StoredEmbeddings);

export type ModelJobMessage =
  | { kind: 'progress'; fraction: number; stage: string }
  | { kind: 'done'; result: ModelJobResult }
  | { kind: 'failed'; error: string };

/** Runs a model job in a worker thread with its own tfjs engine; the caller's event loop keeps serving. */
export function runModelJobInWorker(job: ModelJob, onProgress: (fraction: number, stage: string) => void = () => {}): Promise<ModelJobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./model-worker.mjs', import.meta.url), { workerData: job });
    let settled = false;
    worker.on('message', (message: ModelJobMessage) => {
      if (message.kind === 'progress') return onProgress(message.fraction, message.stage);
      settled = true;
      if (message.kind === 'done') resolve(message.result);
      else reject(new Error(message.error));
      void worker.terminate();
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the model worker exited with code ${code} before finishing`));
    });
  });
}

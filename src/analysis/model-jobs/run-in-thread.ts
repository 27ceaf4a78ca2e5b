import type { DatasetSplit } from '../../data/datasets/dataset.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import type { LabelCorrection } from '../../store/label-issues-decisions.ts';
import { movablePart, type PortableModel } from '../../models/run-model.ts';
import type { StoredEmbeddings } from '../../training/train-embeddings.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import type { RobustnessCurve } from '../robustness/robustness.ts';

/** What a model thread is asked to do. */
export type ModelJob =
  | { kind: 'robustness'; model: PortableModel; transforms: string[]; testLimit: number | null; /** The run's dataset's test split when it is not MNIST (read in the thread otherwise). */ test?: DatasetSplit }
  | { kind: 'train-embeddings'; model: PortableModel; params: Hyperparameters; labelDecisions: LabelCorrection[] };

export type ModelJobResult = { kind: 'robustness'; curves: RobustnessCurve[]; count: number } | ({ kind: 'train-embeddings' } & StoredEmbeddings);

export type ModelJobMessage =
  | { kind: 'progress'; fraction: number; stage: string }
  | { kind: 'done'; result: ModelJobResult }
  | { kind: 'failed'; error: string };

/** Runs a model job in a worker thread with its own tfjs engine; the caller's event loop keeps serving. */
export function runModelJobInThread(job: ModelJob, onProgress: (fraction: number, stage: string) => void = () => {}): Promise<ModelJobResult> {
  return runThreadJob<ModelJobResult, ModelJobMessage>(new URL('./model-thread.mjs', import.meta.url), job, 'model', (message, control) => {
    if (message.kind === 'progress') onProgress(message.fraction, message.stage);
    else if (message.kind === 'done') control.resolve(message.result);
    else control.reject(new Error(message.error));
  }, movablePart(job.model));
}

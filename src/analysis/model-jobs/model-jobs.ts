import { loadDataset } from '../../data/datasets/catalogue.ts';
import type { Db } from '../../../db/client.ts';
import { JobBoard } from '../job-board.ts';
import type { JobStatus } from '../job-status.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import { missingRunModel, portableRunModel, type PortableModel } from '../../models/run-model.ts';
import { loadImportedModelFacts } from '../../store/imported-runs.ts';
import { trainedByDigitlab } from '../../store/run-source.ts';
import type { Run } from '../../store/store.ts';
import { runLabelDecisions } from '../../training/training-set.ts';
import { loadTrainEmbeddings, saveTrainEmbeddings, type StoredEmbeddings } from '../../training/train-embeddings.ts';
import { loadRobustness, saveRobustness, type StoredRobustness } from '../robustness/robustness-store.ts';
import { TRANSFORM_NAMES } from '../robustness/transforms.ts';
import { runModelJobInThread, type ModelJob, type ModelJobResult } from './run-in-thread.ts';

type RunJob = (job: ModelJob, onProgress: (fraction: number, stage: string) => void) => Promise<ModelJobResult>;

/** Decoded training embeddings of this many runs stay in memory: 15 MB each, and queries after the first must be fast. */
const KEPT_EMBEDDINGS = 3;

/** The training images are embedded through a model's tfjs layers, which only a run trained here has. */
const embeddingAbsence = (db: Db, run: Run) => {
  const imported = trainedByDigitlab(run) ? null : loadImportedModelFacts(db, run.id);
  return imported ? `${imported.fileName} is an imported ${imported.framework} model: digitlab embeds the training images only through a model trained here` : null;
};

/**
 * The long computations over a run's model (robustness curves, training-set embeddings) that this
 * process has under way, each in a worker thread: what pages poll for progress. One per server
 * or CLI call, so two requests for the same result share one computation.
 */
export class ModelJobs {
  private readonly board = new JobBoard();
  private readonly embeddings = new Map<number, StoredEmbeddings>();

  constructor(
    private readonly db: Db,
    private readonly runJob: RunJob = runModelJobInThread,
  ) {}

  robustnessStatus(run: Run): JobStatus<StoredRobustness> {
    const stored = loadRobustness(this.db, run.id);
    return stored ? { state: 'ready', value: stored } : this.pending(`robustness:${run.id}`, run);
  }

  /** Starts the default set of curves if absent (or failed before); returns where they stand. */
  startRobustness(run: Run): JobStatus<StoredRobustness> {
    const status = this.robustnessStatus(run);
    if (status.state === 'absent' || status.state === 'failed') this.robustness(run).catch(() => {}); // kept for status()
    return this.robustnessStatus(run);
  }

  /** Computes the curves of `transforms` and stores them (replacing older ones); shares a computation in flight. */
  robustness(run: Run, transforms: string[] = TRANSFORM_NAMES, onProgress?: (fraction: number, stage: string) => void): Promise<StoredRobustness> {
    const testLimit = (run.params as { testLimit?: number | null }).testLimit ?? null;
    // Another dataset's test images go with the job: the thread has no store to read a registered one from.
    const test = run.dataset === 'mnist' ? undefined : loadDataset(this.db, run.dataset, 'test', { limit: testLimit ?? undefined });
    return this.launch(`robustness:${run.id}`, run, (model) => ({ kind: 'robustness', model, transforms, testLimit, test }), onProgress, (result, seconds) => {
      if (result.kind !== 'robustness') throw new Error('the model thread answered another job');
      saveRobustness(this.db, { runId: run.id, curves: result.curves, count: result.count, seconds });
      return loadRobustness(this.db, run.id)!;
    });
  }

  trainEmbeddingsStatus(run: Run): JobStatus<StoredEmbeddings> {
    const kept = this.embeddings.get(run.id) ?? this.remember(run.id, loadTrainEmbeddings(this.db, run.id));
    return kept ? { state: 'ready', value: kept } : this.pending(`train-embeddings:${run.id}`, run, embeddingAbsence);
  }

  /** The run's training-set embeddings: from memory, else the store, else computed in a thread and stored. */
  async trainEmbeddings(run: Run, onProgress?: (fraction: number, stage: string) => void): Promise<StoredEmbeddings> {
    const status = this.trainEmbeddingsStatus(run);
    if (status.state === 'ready') return status.value;
    return this.launch(`train-embeddings:${run.id}`, run, (model) => ({ kind: 'train-embeddings', model, params: run.params as Hyperparameters, labelDecisions: runLabelDecisions(this.db, run.params as Hyperparameters) }), onProgress, (result, seconds) => {
      if (result.kind !== 'train-embeddings') throw new Error('the model thread answered another job');
      saveTrainEmbeddings(this.db, run.id, result, seconds);
      // Read back what was stored, so every query sees the float16-rounded vectors.
      return this.remember(run.id, loadTrainEmbeddings(this.db, run.id))!;
    });
  }

  private remember(runId: number, embeddings: StoredEmbeddings | null): StoredEmbeddings | null {
    if (!embeddings) return null;
    this.embeddings.set(runId, embeddings);
    for (const oldest of this.embeddings.keys()) if (this.embeddings.size > KEPT_EMBEDDINGS) this.embeddings.delete(oldest);
    return embeddings;
  }

  /** Where a job stands that has no stored result: under way, impossible (and why), or not started. */
  private pending<T>(key: string, run: Run, unfit: (db: Db, run: Run) => string | null = () => null): JobStatus<T> {
    const pending = this.board.status(key);
    if (pending) return pending;
    if (run.status !== 'completed') return { state: 'unavailable', reason: `run ${run.id} is ${run.status}: there is no model yet` };
    // Pages poll this: the model itself is not read until a job needs it.
    const reason = missingRunModel(this.db, run)?.message ?? unfit(this.db, run);
    return reason ? { state: 'unavailable', reason } : { state: 'absent' };
  }

  private launch<T>(
    key: string,
    run: Run,
    jobOf: (model: PortableModel) => ModelJob,
    onProgress: ((fraction: number, stage: string) => void) | undefined,
    store: (result: ModelJobResult, seconds: number) => T,
  ): Promise<T> {
    return this.board.run(key, async (report) => {
      const started = performance.now();
      const result = await this.runJob(jobOf(await portableRunModel(this.db, run)), (fraction, stage) => {
        report(fraction, stage);
        onProgress?.(fraction, stage);
      });
      return store(result, (performance.now() - started) / 1000);
    });
  }
}

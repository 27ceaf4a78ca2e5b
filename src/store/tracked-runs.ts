import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { confusionMatrices, epochMetrics, epochScalars, importedModels, runs, testEmbeddings, testPredictions } from '../../db/schema.ts';
import type { ImportedModel } from './imported-runs.ts';
import { DomainError } from '../core/errors.ts';
import { endRun, getRun, insertTags, moveRun, storeTestArtifacts, type Run, type TestResults } from './store.ts';

/**
 * Runs trained by a script elsewhere (Keras, PyTorch, tfjs) that logs them live through the
 * tracking API. Such a run is created running, held by a lease its client renews, and ends when
 * the script says so or when the lease runs out: nobody here can train it again, so it is never
 * requeued.
 */

/** What a tracked run records as its params: the script's own, as JSON scalars. */
export type TrackedParams = Record<string, string | number | boolean | null>;

export class TrackedRunEndedError extends DomainError {
  readonly kind = 'conflict';
  constructor(run: Run) {
    super(`run ${run.id} is ${run.status}; a ${run.status} run takes no more reports`);
  }
}

export class TrackedRunNotOursError extends DomainError {
  readonly kind = 'forbidden';
  constructor(runId: number) {
    super(`run ${runId} was not created by this token`);
  }
}

export class NotATrackedRunError extends DomainError {
  readonly kind = 'conflict';
  constructor(runId: number) {
    super(`run ${runId} was not logged through the tracking API`);
  }
}

export interface TrackedRunInput {
  name: string;
  params: TrackedParams;
  tags: Record<string, string>;
  /** Who trained it, as the client says it ("pytorch", "keras", "tfjs"); null when unsaid. */
  framework: string | null;
  leaseMs: number;
  /** The worker token that created it, when the server needs one; only that token writes it. */
  ownerTokenId: number | null;
  /** The dataset its predictions are of; absent means MNIST. */
  dataset?: string;
}

export function createTrackedRun(db: Db, input: TrackedRunInput): Run {
  return db.transaction((tx) => {
    const now = new Date();
    const seed = input.params.seed;
    const [run] = tx
      .insert(runs)
      .values({
        name: input.name,
        status: 'running',
        source: 'tracked',
        dataset: input.dataset ?? 'mnist',
        createdAt: now,
        startedAt: now,
        params: input.params,
        seed: Number.isSafeInteger(seed) ? (seed as number) : 0,
        backend: input.framework ?? 'not said by the script',
        leaseExpiresAt: new Date(now.getTime() + input.leaseMs),
        leaseMs: input.leaseMs,
        attempts: 1,
        ownerTokenId: input.ownerTokenId,
      })
      .returning()
      .all();
    insertTags(tx, run!.id, input.tags);
    return run!;
  });
}

/**
 * The tracked run a report is about, if the caller may write it: a tracked run, still running,
 * created by the caller's token when it was created with one.
 */
export function writableTrackedRun(db: Db, runId: number, tokenId: number | null): Run {
  const run = getRun(db, runId);
  if (run.source !== 'tracked') throw new NotATrackedRunError(runId);
  if (run.ownerTokenId !== null && run.ownerTokenId !== tokenId) throw new TrackedRunNotOursError(runId);
  if (run.status !== 'running') throw new TrackedRunEndedError(run);
  return run;
}

const renewedLease = (run: Run) => new Date(Date.now() + (run.leaseMs ?? 0));

/** A sign of life from the script: the lease runs its span again; new progress, when it sent some, is kept. */
export function renewTrackedLease(db: Db, run: Run, progress: unknown): void {
  db.update(runs)
    .set({ leaseExpiresAt: renewedLease(run), ...(progress === null ? {} : { progress }) })
    .where(eq(runs.id, run.id))
    .run();
}

export interface TrackedEpoch {
  epoch: number;
  loss: number;
  /** Null when the script logged none: not every loop computes a training accuracy. */
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  /** Any other named scalars the script reported for the epoch. */
  scalars: Record<string, number>;
}

/** Appends an epoch with its other scalars; false when the run already has that epoch. */
export function logTrackedEpoch(db: Db, run: Run, epoch: TrackedEpoch): boolean {
  return db.transaction((tx) => {
    const exists = tx.select({ epoch: epochMetrics.epoch }).from(epochMetrics).where(and(eq(epochMetrics.runId, run.id), eq(epochMetrics.epoch, epoch.epoch))).get();
    if (exists) return false;
    const { scalars, ...metrics } = epoch;
    tx.insert(epochMetrics).values({ runId: run.id, ...metrics, loggedAt: new Date() }).run();
    for (const [name, value] of Object.entries(scalars)) tx.insert(epochScalars).values({ runId: run.id, epoch: epoch.epoch, name, value }).run();
    tx.update(runs).set({ leaseExpiresAt: renewedLease(run) }).where(eq(runs.id, run.id)).run();
    return true;
  });
}

/** Named scalars by name, each in epoch order. */
export type ScalarHistory = Map<string, { epoch: number; value: number }[]>;

/** Every scalar a run's epochs reported beyond the usual four. */
export function epochScalarHistory(db: Db, runId: number): ScalarHistory {
  const rows = db.select().from(epochScalars).where(eq(epochScalars.runId, runId)).orderBy(epochScalars.name, epochScalars.epoch).all();
  const byName = new Map<string, { epoch: number; value: number }[]>();
  for (const { name, epoch, value } of rows) byName.set(name, [...(byName.get(name) ?? []), { epoch, value }]);
  return byName;
}

/**
 * Keeps the script's test predictions (and the map's embeddings when its model gave some) for the
 * run to complete with; a second upload replaces the first.
 */
export function storeTrackedPredictions(db: Db, run: Run, results: TestResults, datasetHashes: Record<string, string>): void {
  db.transaction((tx) => {
    tx.delete(testPredictions).where(eq(testPredictions.runId, run.id)).run();
    tx.delete(testEmbeddings).where(eq(testEmbeddings.runId, run.id)).run();
    tx.delete(confusionMatrices).where(and(eq(confusionMatrices.runId, run.id), eq(confusionMatrices.split, 'test'))).run();
    storeTestArtifacts(tx, run.id, results);
    tx.update(runs).set({ testAccuracy: results.accuracy, testLoss: results.loss, datasetHashes }).where(eq(runs.id, run.id)).run();
  });
}

/** The script's ONNX model, kept as an imported model is, so every model-based view can use it. */
export function storeTrackedModel(db: Db, run: Run, model: Omit<ImportedModel, 'runId'>): void {
  db.transaction((tx) => {
    tx.delete(importedModels).where(eq(importedModels.runId, run.id)).run();
    tx.insert(importedModels).values({ runId: run.id, ...model }).run();
  });
}

/** Ends a tracked run as its script said: completed, failed or cancelled (with a message). */
export function endTrackedRun(db: Db, run: Run, status: 'completed' | 'failed' | 'cancelled', error: string | null): Run {
  if (status === 'completed') moveRun(db, run.id, 'completed', { finishedAt: new Date(), progress: null, leaseExpiresAt: null });
  else endRun(db, run.id, status, error);
  return getRun(db, run.id);
}

/**
 * A server that was down could not hear its scripts: on start each running tracked run gets its
 * own lease again, as remote workers' runs do (run-attempts.ts extendLeases).
 */
export function extendTrackedLeases(db: Db, now = Date.now()): void {
  db.update(runs)
    .set({ leaseExpiresAt: sql`${now} + ${runs.leaseMs}` })
    .where(and(eq(runs.status, 'running'), eq(runs.source, 'tracked')))
    .run();
}

import { DomainError } from '../core/errors.ts';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import os from 'node:os';
import type { Db } from '../../db/client.ts';
import {
  confusionMatrices,
  epochMetrics,
  heldOutPredictions,
  modelWeights,
  runAttempts,
  runs,
  runTags,
  testEmbeddings,
  testPredictions,
  type RunStatus,
} from '../../db/schema.ts';
import { packFloat16, unpackFloat16 } from './float16.ts';
import { IllegalTransitionError, legalFrom } from './run-lifecycle.ts';
import type { EpochResult, StoredParams } from './run-types.ts';

export type Run = typeof runs.$inferSelect;
export type EpochMetric = typeof epochMetrics.$inferSelect;

export class RunNotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(readonly runId: number) {
    super(`no run with id ${runId}`);
  }
}

/** Run provenance recorded once the process knows it (engine loaded, data read). */
export interface RunProvenance {
  backend: string;
  datasetHashes: Record<string, string>;
  gitCommit: string | null;
  packageVersions: Record<string, string>;
}

export interface TestOutcome {
  loss: number;
  accuracy: number;
  confusion: number[][];
  predicted: Uint8Array;
  probabilities: Float32Array;
  embeddings: Float32Array;
  embeddingDimensions: number;
  trainSamplesPerSecond: number;
  /** With early stopping, the epoch whose weights were kept and tested; null or absent without it. */
  keptEpoch?: number | null;
}

export interface SavedModel {
  topology: unknown;
  weightSpecs: unknown;
  weightData: Buffer;
}

export type Transaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Moves a run to `to` with the columns in `set`, in one UPDATE that matches only while the run is
 * in a status the lifecycle allows `to` from; anything else is refused with IllegalTransitionError.
 */
export function moveRun(db: Db | Transaction, runId: number, to: RunStatus, set: Partial<Run> = {}): void {
  const moved = db
    .update(runs)
    .set({ ...set, status: to })
    .where(and(eq(runs.id, runId), inArray(runs.status, legalFrom(to))))
    .run();
  if (moved.changes === 1) return;
  const run = db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId)).get();
  if (!run) throw new RunNotFoundError(runId);
  throw new IllegalTransitionError(runId, run.status, to);
}

export function insertTags(tx: Transaction, runId: number, tags: Record<string, string>): void {
  for (const [key, value] of Object.entries(tags)) tx.insert(runTags).values({ runId, key, value }).run();
}

/**
 * Records a new run, queued; `status: 'running'` claims it at once for this process (a terminal's
 * `train`), through the same claim as the queue's. A sweep's or label audit's runs name it.
 */
export function createRun(
  db: Db,
  input: {
    name: string;
    params: StoredParams;
    tags?: Record<string, string>;
    status?: 'queued' | 'running';
    sweepId?: number;
    labelAuditId?: number;
  },
): Run {
  return db.transaction((tx) => {
    const [run] = tx
      .insert(runs)
      .values({
        name: input.name,
        status: 'queued',
        createdAt: new Date(),
        params: input.params,
        seed: input.params.seed,
        dataset: input.params.dataset ?? 'mnist',
        sweepId: input.sweepId ?? null,
        labelAuditId: input.labelAuditId ?? null,
      })
      .returning()
      .all();
    insertTags(tx, run!.id, input.tags ?? {});
    if (input.status !== 'running') return run!;
    return claimQueued(tx, { runId: run!.id }, localClaimant())!;
  });
}

export function getRun(db: Db, runId: number): Run {
  const run = db.select().from(runs).where(eq(runs.id, runId)).get();
  if (!run) throw new RunNotFoundError(runId);
  return run;
}

export function listRuns(db: Db, filter: { statuses?: RunStatus[] } = {}): Run[] {
  const query = db.select().from(runs);
  const filtered = filter.statuses?.length ? query.where(inArray(runs.status, filter.statuses)) : query;
  return filtered.orderBy(desc(runs.id)).all();
}

/** Who claims a run: this process (pid), or a remote worker (its token's name, holding a lease). */
export interface Claimant {
  host: string;
  pid: number | null;
  worker: { name: string; leaseMs: number } | null;
}

export const localClaimant = (): Claimant => ({ host: os.hostname(), pid: process.pid, worker: null });

/** Label-audit fold runs store held-out predictions that no worker uploads: they train on the server's machine. */
export const remotelyTrainable = sql`json_extract(${runs.params}, '$.folds') IS NULL`;
export const isRemotelyTrainable = (run: Run) => (run.params as StoredParams).folds == null;

/**
 * The one claim: moves the oldest queued run that `which` allows (one run, only those a remote
 * worker may train, only those on the datasets the claimant has) to running for `claimant`, in one UPDATE, so two claimants never both get it;
 * counts the attempt, and records a worker's attempt with its lease. Null when nothing waits.
 */
export function claimQueued(
  db: Db | Transaction,
  which: { runId?: number | null; remotely?: boolean; datasets?: readonly string[] },
  claimant: Claimant,
): Run | null {
  // Inside a caller's transaction (createRun) this nests as a savepoint.
  return (db as Db).transaction((tx) => {
    const candidate = tx
      .select({ id: runs.id, slurmJobId: runs.slurmJobId })
      .from(runs)
      .where(
        and(
          eq(runs.status, 'queued'),
          which.remotely ? remotelyTrainable : undefined,
          which.datasets ? inArray(runs.dataset, [...which.datasets]) : undefined,
          which.runId == null ? undefined : eq(runs.id, which.runId),
        ),
      )
      .orderBy(asc(runs.id))
      .limit(1)
      .get();
    if (!candidate) return null;
    const now = new Date();
    const [claimed] = tx
      .update(runs)
      .set({
        status: 'running',
        source: claimant.worker ? 'worker' : 'local',
        startedAt: now,
        pid: claimant.pid,
        host: claimant.host,
        leaseExpiresAt: claimant.worker ? new Date(now.getTime() + claimant.worker.leaseMs) : null,
        cancelRequested: false,
        attempts: sql`${runs.attempts} + 1`,
      })
      .where(and(eq(runs.id, candidate.id), inArray(runs.status, legalFrom('running'))))
      .returning()
      .all();
    if (!claimed) return null;
    // Every attempt is recorded; a remote one with its worker, whose reports must name it (see heldRun).
    tx.insert(runAttempts)
      .values({ runId: claimed.id, attempt: claimed.attempts, host: claimant.host, worker: claimant.worker?.name ?? null, slurmJobId: candidate.slurmJobId, startedAt: now })
      .run();
    return claimed;
  });
}

/** Moves a queued run to running in this process; false if someone else took it first. */
export function claimRun(db: Db, runId: number): boolean {
  return claimQueued(db, { runId }, localClaimant()) !== null;
}

export function recordProvenance(db: Db, runId: number, provenance: RunProvenance): void {
  db.update(runs).set(provenance).where(eq(runs.id, runId)).run();
}

/** A run's params once what it left to the machine (the worker count) is decided. */
export function recordParams(db: Db, runId: number, params: StoredParams): void {
  db.update(runs).set({ params }).where(eq(runs.id, runId)).run();
}

export function recordProgress(db: Db, runId: number, progress: unknown): void {
  db.update(runs).set({ progress }).where(eq(runs.id, runId)).run();
}

/** Appends one epoch's metrics and its validation confusion matrix together. */
export function logEpoch(db: Db, runId: number, epoch: EpochResult): void {
  db.transaction((tx) => {
    tx.insert(epochMetrics)
      .values({
        runId,
        epoch: epoch.epoch,
        loss: epoch.loss,
        accuracy: epoch.accuracy,
        valLoss: epoch.valLoss,
        valAccuracy: epoch.valAccuracy,
        seconds: epoch.seconds,
        loggedAt: new Date(),
      })
      .run();
    if (epoch.valConfusion) {
      tx.insert(confusionMatrices)
        .values({ runId, split: 'validation', epoch: epoch.epoch, counts: epoch.valConfusion })
        .run();
    }
  });
}

export function epochHistory(db: Db, runId: number): EpochMetric[] {
  return db.select().from(epochMetrics).where(eq(epochMetrics.runId, runId)).orderBy(epochMetrics.epoch).all();
}

const bytesOf = (array: Uint8Array | Float32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

/** SQLite's buffers need not be 4-byte aligned, which Float32Array requires: copy. */
export function float32sOf(bytes: Buffer): Float32Array {
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return floats;
}

/** The test results every completed run keeps, trained or imported; embeddings only when there are some. */
export type TestResults = Omit<TestOutcome, 'trainSamplesPerSecond' | 'keptEpoch' | 'embeddings'> & { embeddings: Float32Array | null };

/**
 * Writes a run's test confusion, predictions and embeddings and marks it completed with its test
 * metrics, inside the caller's transaction: the one path trained and imported runs share.
 */
export function storeTestResults(tx: Transaction, runId: number, results: TestResults, extra: Partial<Run> = {}): void {
  // The status first: a run that may not complete (it has ended) is refused before anything is written.
  moveRun(tx, runId, 'completed', { ...extra, finishedAt: new Date(), testAccuracy: results.accuracy, testLoss: results.loss, progress: null });
  finishAttempt(tx, runId, 'completed', null);
  storeTestArtifacts(tx, runId, results);
}

/** A run's test confusion, predictions and (when there are some) embeddings, without a change of status. */
export function storeTestArtifacts(tx: Transaction, runId: number, results: TestResults): void {
  tx.insert(confusionMatrices).values({ runId, split: 'test', epoch: 0, counts: results.confusion }).run();
  tx.insert(testPredictions)
    .values({
      runId,
      count: results.predicted.length,
      predicted: bytesOf(results.predicted),
      probabilities: bytesOf(results.probabilities),
    })
    .run();
  if (results.embeddings) storeTestEmbeddings(tx, runId, results.predicted.length, results.embeddings, results.embeddingDimensions);
}

/** The embedding layer's activations of `count` test images, `dimensions` a row, stored as float16 (the maps' input). */
export function storeTestEmbeddings(db: Db | Transaction, runId: number, count: number, embeddings: Float32Array, dimensions: number): void {
  db.insert(testEmbeddings)
    .values({ runId, count, dimensions, vectors: packFloat16(embeddings) })
    // A run's embeddings are written once; a second writer (two racing ends of a tracked run) adds nothing.
    .onConflictDoNothing()
    .run();
}

/** Stores the test evaluation and weights and marks the run completed, atomically. */
export function completeRun(db: Db, runId: number, outcome: TestOutcome, model: SavedModel): void {
  db.transaction((tx) => {
    storeTestResults(tx, runId, outcome, { trainSamplesPerSecond: outcome.trainSamplesPerSecond, keptEpoch: outcome.keptEpoch ?? null });
    tx.insert(modelWeights).values({ runId, ...model }).run();
  });
}

/**
 * Ends a queued or running run as failed or cancelled, with its current attempt; the epochs
 * already written stay. A run that has ended already is refused (IllegalTransitionError).
 */
export function endRun(db: Db | Transaction, runId: number, status: 'failed' | 'cancelled', error: string | null): void {
  (db as Db).transaction((tx) => {
    moveRun(tx, runId, status, { error, finishedAt: new Date(), progress: null });
    finishAttempt(tx, runId, status, error);
  });
}

export type AttemptOutcome = 'completed' | 'failed' | 'cancelled' | 'requeued';

/** Closes the run's current attempt (every claim records one). */
export function finishAttempt(db: Db | Transaction, runId: number, outcome: AttemptOutcome, error: string | null): void {
  const current = db.select({ attempts: runs.attempts }).from(runs).where(eq(runs.id, runId)).get();
  if (!current) return;
  db.update(runAttempts)
    .set({ outcome, error, endedAt: new Date() })
    .where(and(eq(runAttempts.runId, runId), eq(runAttempts.attempt, current.attempts), isNull(runAttempts.endedAt)))
    .run();
}

/** Whether a process with this pid exists (one we may not signal counts as existing). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs this host trains in its own processes, each with its pid (remote workers hold leases instead). */
export function runsTrainingHere(db: Db): Run[] {
  return db
    .select()
    .from(runs)
    .where(and(eq(runs.status, 'running'), eq(runs.source, 'local'), eq(runs.host, os.hostname())))
    .all();
}

/** A run marked running on this host whose training process no longer exists. */
export function trainerIsDead(run: Run): boolean {
  return run.status === 'running' && run.source === 'local' && run.host === os.hostname() && (run.pid === null || !processIsAlive(run.pid));
}

export const deadTrainerReason = (run: Run) => `the training process (pid ${run.pid}) died before the run finished`;

/** Marks a run failed because its training process died; the epochs it logged stay. */
export function failDeadRun(db: Db, run: Run): void {
  endRun(db, run.id, 'failed', deadTrainerReason(run));
}

/** Marks failed every run this host was training in a process that no longer exists (a command's start; the queue settles them with its retries). */
export function failDeadRuns(db: Db): Run[] {
  const orphans = runsTrainingHere(db).filter(trainerIsDead);
  for (const run of orphans) failDeadRun(db, run);
  return orphans;
}

/** Runs this host trains in live processes: they share its cores, whoever started them. */
export function liveRunsHere(db: Db): Run[] {
  return runsTrainingHere(db).filter((run) => !trainerIsDead(run));
}

export function testConfusion(db: Db, runId: number): number[][] | null {
  const row = db
    .select({ counts: confusionMatrices.counts })
    .from(confusionMatrices)
    .where(and(eq(confusionMatrices.runId, runId), eq(confusionMatrices.split, 'test')))
    .get();
  return row?.counts ?? null;
}

export function validationConfusions(db: Db, runId: number): { epoch: number; counts: number[][] }[] {
  return db
    .select({ epoch: confusionMatrices.epoch, counts: confusionMatrices.counts })
    .from(confusionMatrices)
    .where(and(eq(confusionMatrices.runId, runId), eq(confusionMatrices.split, 'validation')))
    .orderBy(confusionMatrices.epoch)
    .all();
}

export function loadTestPredictions(db: Db, runId: number): { predicted: Uint8Array; probabilities: Float32Array } | null {
  const row = db.select().from(testPredictions).where(eq(testPredictions.runId, runId)).get();
  if (!row) return null;
  return { predicted: new Uint8Array(row.predicted), probabilities: float32sOf(row.probabilities) };
}

/** A label-audit fold run's predictions and embeddings of the training images it did not see. */
export interface HeldOutPredictions {
  indices: Uint32Array;
  probabilities: Float32Array;
  dimensions: number;
  embeddings: Float32Array;
}

export function storeHeldOutPredictions(db: Db, runId: number, heldOut: HeldOutPredictions): void {
  db.insert(heldOutPredictions)
    .values({
      runId,
      count: heldOut.indices.length,
      indices: Buffer.from(heldOut.indices.buffer, heldOut.indices.byteOffset, heldOut.indices.byteLength),
      probabilities: bytesOf(heldOut.probabilities),
      dimensions: heldOut.dimensions,
      embeddings: bytesOf(heldOut.embeddings),
    })
    .run();
}

export function loadHeldOutPredictions(db: Db, runId: number): HeldOutPredictions | null {
  const row = db.select().from(heldOutPredictions).where(eq(heldOutPredictions.runId, runId)).get();
  if (!row) return null;
  const indices = new Uint32Array(row.count);
  new Uint8Array(indices.buffer).set(row.indices);
  return { indices, probabilities: float32sOf(row.probabilities), dimensions: row.dimensions, embeddings: float32sOf(row.embeddings) };
}

/** Runs stored before test embeddings were packed as float16 hold float32: the blob's length tells which. */
export function testEmbeddingsEncoding(row: { count: number; dimensions: number; bytes: number }): 'float16' | 'float32' {
  return row.bytes === row.count * row.dimensions * 2 ? 'float16' : 'float32';
}

/** A run's test embeddings as stored, not yet decoded: what a thread is sent to decode itself. */
export interface PackedTestEmbeddings {
  dimensions: number;
  encoding: 'float16' | 'float32';
  bytes: Uint8Array;
}

export function loadPackedTestEmbeddings(db: Db, runId: number): PackedTestEmbeddings | null {
  const row = db.select().from(testEmbeddings).where(eq(testEmbeddings.runId, runId)).get();
  if (!row) return null;
  return { dimensions: row.dimensions, encoding: testEmbeddingsEncoding({ ...row, bytes: row.vectors.byteLength }), bytes: row.vectors };
}

export function unpackTestEmbeddings({ dimensions, encoding, bytes }: PackedTestEmbeddings): { dimensions: number; vectors: Float32Array } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dimensions, vectors: encoding === 'float16' ? unpackFloat16(buffer) : float32sOf(buffer) };
}

export function loadTestEmbeddings(db: Db, runId: number): { dimensions: number; vectors: Float32Array } | null {
  const packed = loadPackedTestEmbeddings(db, runId);
  return packed && unpackTestEmbeddings(packed);
}

export function loadSavedModel(db: Db, runId: number): SavedModel | null {
  const row = db.select().from(modelWeights).where(eq(modelWeights.runId, runId)).get();
  return row ? { topology: row.topology, weightSpecs: row.weightSpecs, weightData: row.weightData } : null;
}

/** How many bytes of weights a run stored (0 for a placeholder, -1 for none), without reading them. */
export function storedWeightBytes(db: Db, runId: number): number {
  const row = db.select({ bytes: sql<number>`length(${modelWeights.weightData})` }).from(modelWeights).where(eq(modelWeights.runId, runId)).get();
  return row?.bytes ?? -1;
}

export function runTagMap(db: Db, runId: number): Record<string, string> {
  const rows = db.select().from(runTags).where(eq(runTags.runId, runId)).all();
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

export function setTag(db: Db, runId: number, key: string, value: string): void {
  getRun(db, runId);
  db.insert(runTags)
    .values({ runId, key, value })
    .onConflictDoUpdate({ target: [runTags.runId, runTags.key], set: { value } })
    .run();
}

export function removeTag(db: Db, runId: number, key: string): void {
  db.delete(runTags).where(and(eq(runTags.runId, runId), eq(runTags.key, key))).run();
}

export function setNote(db: Db, runId: number, note: string): void {
  getRun(db, runId);
  db.update(runs).set({ note }).where(eq(runs.id, runId)).run();
}

/** Hides runs from the runs list (a date) or lists them again (null); see run-archive.ts for the rules. */
export function setArchivedAt(db: Db | Transaction, runId: number, archivedAt: Date | null): void {
  db.update(runs).set({ archivedAt }).where(eq(runs.id, runId)).run();
}

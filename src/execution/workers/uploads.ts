import { DomainError } from '../../core/errors.ts';
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { uploadChunks } from '../../../db/schema.ts';
import { float32sOf, getRun, type TestOutcome } from '../../store/store.ts';
import type { RunStore } from '../../store/run-store.ts';
import { attemptWorker, heldRun } from '../../store/run-attempts.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import type { FieldProblem } from '../../training/run-request.ts';
import { TEST_IMAGES } from '../tracking/tracked-results.ts';
import { completionProblems } from './completion-check.ts';

/** The binary results a worker uploads in chunks; everything else travels as JSON. */
export const ARTIFACTS = ['predicted', 'probabilities', 'embeddings', 'weights'] as const;
export type Artifact = (typeof ARTIFACTS)[number];

/** Small enough for any proxy's body limit, large enough that a run takes a handful of requests. */
export const CHUNK_BYTES = 512 * 1024;

export interface ArtifactManifest {
  chunks: number;
  bytes: number;
  sha256: string;
}

/** The JSON part of a remote run's completion; the arrays arrive as artifacts. */
export interface RemoteCompletion {
  attempt: number;
  loss: number;
  accuracy: number;
  confusion: number[][];
  embeddingDimensions: number;
  trainSamplesPerSecond: number;
  /** Absent from workers older than the kept-epoch column. */
  keptEpoch?: number | null;
  topology: unknown;
  weightSpecs: unknown;
  artifacts: Record<Artifact, ArtifactManifest>;
}

/** An upload that cannot be accepted as sent: bad checksum, a chunk changing content, pieces missing. */
export class UploadRejectedError extends DomainError { readonly kind = 'conflict'; }

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Keeps one chunk. Sending a chunk again is harmless (same bytes: nothing changes); different
 * bytes under the same index are refused, so a retried upload can neither duplicate nor corrupt.
 */
export function storeChunk(db: Db, worker: string, at: { runId: number; attempt: number; artifact: Artifact; chunk: number }, sha256: string, data: Buffer): { duplicate: boolean } {
  heldRun(db, at.runId, at.attempt, worker);
  if (sha256Hex(data) !== sha256) throw new UploadRejectedError(`chunk ${at.chunk} of ${at.artifact}: its sha256 is ${sha256Hex(data)}, not the ${sha256} sent with it`);
  const key = and(eq(uploadChunks.runId, at.runId), eq(uploadChunks.attempt, at.attempt), eq(uploadChunks.artifact, at.artifact), eq(uploadChunks.chunk, at.chunk));
  const existing = db.select({ sha256: uploadChunks.sha256 }).from(uploadChunks).where(key).get();
  if (existing) {
    if (existing.sha256 !== sha256) throw new UploadRejectedError(`chunk ${at.chunk} of ${at.artifact} was already uploaded with other content`);
    return { duplicate: true };
  }
  db.insert(uploadChunks).values({ ...at, sha256, data }).run();
  return { duplicate: false };
}

function assemble(db: Db, runId: number, attempt: number, artifact: Artifact, manifest: ArtifactManifest): Buffer {
  const rows = db
    .select({ chunk: uploadChunks.chunk, data: uploadChunks.data })
    .from(uploadChunks)
    .where(and(eq(uploadChunks.runId, runId), eq(uploadChunks.attempt, attempt), eq(uploadChunks.artifact, artifact)))
    .orderBy(uploadChunks.chunk)
    .all();
  const present = new Set(rows.map((row) => row.chunk));
  const missing = Array.from({ length: manifest.chunks }, (_, i) => i).filter((i) => !present.has(i));
  if (missing.length > 0) throw new UploadRejectedError(`${artifact}: chunks ${missing.join(', ')} of ${manifest.chunks} have not arrived`);
  const whole = Buffer.concat(rows.filter((row) => row.chunk < manifest.chunks).map((row) => row.data));
  if (whole.length !== manifest.bytes || sha256Hex(whole) !== manifest.sha256) {
    throw new UploadRejectedError(`${artifact}: the chunks make ${whole.length} bytes with sha256 ${sha256Hex(whole)}, not the ${manifest.bytes} bytes with ${manifest.sha256} announced`);
  }
  return whole;
}

/**
 * Completes a remote run from its uploaded chunks, checking each artifact whole and the results
 * against the run's test images; returns what is wrong with them, having stored nothing, or []
 * once the run is completed. Completing the same attempt again (the worker never saw the first
 * answer) succeeds without writing anything.
 */
export async function completeRemoteRun({ db, runs }: { db: Db; runs: RunStore }, worker: string, runId: number, completion: RemoteCompletion): Promise<FieldProblem[]> {
  const run = getRun(db, runId);
  if (run.status === 'completed' && run.attempts === completion.attempt && attemptWorker(db, runId, completion.attempt) === worker) return [];
  heldRun(db, runId, completion.attempt, worker);
  const parts = Object.fromEntries(ARTIFACTS.map((artifact) => [artifact, assemble(db, runId, completion.attempt, artifact, completion.artifacts[artifact])])) as Record<Artifact, Buffer>;
  const ragged = (['probabilities', 'embeddings'] as const).filter((artifact) => parts[artifact].length % 4 !== 0);
  if (ragged.length > 0) return ragged.map((field) => ({ field, problem: `must be float32 values; got ${parts[field].length} bytes` }));
  const outcome: TestOutcome = {
    loss: completion.loss,
    accuracy: completion.accuracy,
    confusion: completion.confusion,
    predicted: new Uint8Array(parts.predicted),
    probabilities: float32sOf(parts.probabilities),
    embeddings: float32sOf(parts.embeddings),
    embeddingDimensions: completion.embeddingDimensions,
    trainSamplesPerSecond: completion.trainSamplesPerSecond,
    keptEpoch: completion.keptEpoch ?? null,
  };
  const problems = completionProblems(outcome, (run.params as Hyperparameters).testLimit ?? TEST_IMAGES);
  if (problems.length > 0) return problems;
  await runs.recorder(runId).complete(outcome, { topology: completion.topology, weightSpecs: completion.weightSpecs, weightData: parts.weights });
  db.delete(uploadChunks).where(eq(uploadChunks.runId, runId)).run();
  return [];
}

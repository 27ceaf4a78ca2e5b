import type { LiveProgress } from '../../training/batch-curve.ts';
import { CANCELLED_BY_USER } from '../../training/cancellation.ts';
import type { RunRecorder } from '../../store/run-recorder.ts';
import type { HeldOutPredictions, SavedModel, TestOutcome } from '../../store/store.ts';
import { WorkerClient, WorkerRequestError } from './client.ts';
import { ARTIFACTS, CHUNK_BYTES, sha256Hex, type Artifact, type ArtifactManifest } from './uploads.ts';

const bytesOf = (array: Uint8Array | Float32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/**
 * A remote worker's recorder: reports go to the server over HTTP, progress rides on the
 * heartbeat that holds the lease, and the arrays of a completed run go up in checksummed chunks.
 * `onStop` is told when the server wants the training stopped (cancelled, or the lease is gone).
 */
export class HttpRecorder implements RunRecorder {
  private latest: LiveProgress | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lostBecause: string | undefined;
  private readonly base: string;

  constructor(
    private readonly client: WorkerClient,
    private readonly runId: number,
    private readonly attempt: number,
    private readonly options: { heartbeatMs: number; onStop: (reason: 'cancel' | 'lost', message: string) => void },
  ) {
    this.base = `/api/workers/runs/${runId}`;
  }

  /** Beats until stop(); one heartbeat at a time, each after the previous one answered. */
  startHeartbeat(): void {
    const beat = async () => {
      const progress = this.latest;
      this.latest = undefined;
      try {
        const answer = await this.report<{ cancel: boolean }>(() => this.client.postJson(`${this.base}/heartbeat`, { attempt: this.attempt, progress }));
        if (answer.cancel) this.options.onStop('cancel', CANCELLED_BY_USER);
      } catch (err) {
        // Refused (see report), or unreachable for longer than the client retries: the lease is as good as gone.
        this.options.onStop('lost', (err as Error).message);
        return;
      }
      if (this.timer !== undefined) this.timer = setTimeout(beat, this.options.heartbeatMs);
    };
    this.timer = setTimeout(beat, this.options.heartbeatMs);
  }

  /** Why the server no longer takes this attempt's reports (its run ended there), if it said so. */
  get lost(): string | undefined {
    return this.lostBecause;
  }

  /**
   * Makes one report. A refusal saying the run is no longer this worker's (401: token revoked, 403:
   * not its attempt, 409: lease lost) marks the attempt lost, so no end is reported over the server's.
   */
  private async report<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof WorkerRequestError && [401, 403, 409].includes(err.status)) this.lostBecause ??= err.message;
      throw err;
    }
  }

  stopHeartbeat(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async provenance(...[provenance, decided]: Parameters<RunRecorder['provenance']>): Promise<void> {
    await this.report(() => this.client.postJson(`${this.base}/provenance`, { attempt: this.attempt, provenance, workers: decided?.workers }));
  }

  progress(progress: LiveProgress): void {
    this.latest = progress;
  }

  async epoch(epoch: Parameters<RunRecorder['epoch']>[0]): Promise<void> {
    await this.report(() => this.client.postJson(`${this.base}/epochs`, { attempt: this.attempt, epoch }));
  }

  async complete(outcome: TestOutcome, model: SavedModel, heldOut?: HeldOutPredictions): Promise<void> {
    // The server hands out no label-audit fold runs (claimQueuedRun), whose held-out predictions have no upload.
    if (heldOut) throw new Error('a label-audit fold run trains on the server, not on a remote worker');
    const arrays: Record<Artifact, Uint8Array> = {
      predicted: bytesOf(outcome.predicted),
      probabilities: bytesOf(outcome.probabilities),
      embeddings: bytesOf(outcome.embeddings),
      weights: bytesOf(model.weightData),
    };
    const artifacts = {} as Record<Artifact, ArtifactManifest>;
    for (const artifact of ARTIFACTS) artifacts[artifact] = await this.upload(artifact, arrays[artifact]);
    const { loss, accuracy, confusion, embeddingDimensions, trainSamplesPerSecond, keptEpoch } = outcome;
    await this.client.postJson(`${this.base}/complete`, {
      attempt: this.attempt,
      loss,
      accuracy,
      confusion,
      embeddingDimensions,
      trainSamplesPerSecond,
      keptEpoch,
      topology: model.topology,
      weightSpecs: model.weightSpecs,
      artifacts,
    });
  }

  /** Sends one array as numbered chunks, each with its sha256; the whole one's goes in the manifest. */
  async upload(artifact: Artifact, bytes: Uint8Array): Promise<ArtifactManifest> {
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
    for (let chunk = 0; chunk < chunks; chunk++) {
      const piece = bytes.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES);
      await this.client.putBytes(`${this.base}/uploads/${artifact}/${chunk}?attempt=${this.attempt}`, piece, { 'X-Content-SHA256': sha256Hex(piece) });
    }
    return { chunks, bytes: bytes.length, sha256: sha256Hex(bytes) };
  }

  async end(status: 'failed' | 'cancelled', error: string): Promise<void> {
    // A run whose lease or token was taken away has been ended by the server already.
    if (this.lost) return;
    await this.client.postJson(`${this.base}/end`, { attempt: this.attempt, status, error });
  }
}

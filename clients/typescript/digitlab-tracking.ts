/**
 * Log a tfjs training script's run into a running `digitlab serve`, live: the TypeScript twin of
 * clients/python/digitlab_tracking.py, exported by the package as `digitlab/tracking`.
 *
 *   import { startRun, tfjsCallback } from 'digitlab/tracking';
 *   const run = await startRun('http://127.0.0.1:3000', { name: 'tfjs-cnn', params: { lr: 1e-3, seed: 1 }, framework: 'tfjs' });
 *   await run.track(async () => {
 *     await model.fit(xs, ys, { epochs: 5, validationSplit: 0.2, callbacks: [tfjsCallback(run)] });
 *     await run.logTestPredictions(probabilities);   // [n,10], rows in the dataset's test order
 *     await run.logModel(model, { scale: 'unit' });  // optional: exported to ONNX on the way
 *   });                                              // completes the run, or fails it with the error and rethrows
 */
import type * as tf from '@tensorflow/tfjs';
import { WorkerClient } from '../../src/execution/workers/client.ts';
import { layersModelToOnnx } from '../../src/models/onnx/onnx-export.ts';

export interface StartRunOptions {
  name?: string;
  /** JSON scalars: numbers, text, booleans or null. */
  params?: Record<string, string | number | boolean | null>;
  tags?: Record<string, string>;
  /** Who trains it, shown on the run page: 'tfjs' unless said. */
  framework?: string;
  /** The dataset its test predictions are of: mnist unless said (fashion-mnist, or one the server registered). */
  dataset?: string;
  /** How long the server waits for a sign of life before failing the run (default 60). */
  leaseSeconds?: number;
  /** Needed only when the server runs with --allow-remote; DIGITLAB_TOKEN otherwise. */
  token?: string;
  /** How long a request keeps being retried while the server does not answer (default 30 s). */
  retryForMs?: number;
}

/** How a script feeds its model pixels, each found by the server when left out. */
export interface ModelFeed {
  /** Pixels in [0,1] ('unit') or [0,255] ('byte'). */
  scale?: 'unit' | 'byte';
  /** Pixels in [0,1] standardised as (x - mean) / std, as [mean, std]; instead of scale. */
  normalize?: [number, number];
  /** Channels first ('nchw', PyTorch's) or last ('nhwc', tfjs's and Keras's). */
  layout?: 'nchw' | 'nhwc';
}

export interface EpochMetrics {
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds?: number;
  /** Any other named scalars, kept and plotted per epoch. */
  metrics?: Record<string, number>;
}

/** How often the latest batch goes to the server while a script trains. */
const PROGRESS_MS = 2000;

export class TrackedRun {
  private progress: Record<string, number> | null = null;
  private ended = false;
  private readonly beat: NodeJS.Timeout;
  private lastBeat = Date.now();

  constructor(
    private readonly client: WorkerClient,
    readonly id: number,
    readonly url: string,
    readonly leaseSeconds: number,
  ) {
    const renewMs = Math.max(1000, Math.min((leaseSeconds * 1000) / 3, 10_000));
    this.beat = setInterval(() => void this.heartbeat(renewMs), Math.min(PROGRESS_MS, renewMs));
    // The lease is the server's to keep: a finished script must not be held open by its timer.
    this.beat.unref();
  }

  private path(tail: string) {
    return `/api/tracking/runs/${this.id}/${tail}`;
  }

  private async heartbeat(renewMs: number) {
    const progress = this.progress;
    if (progress === null && Date.now() - this.lastBeat < renewMs) return;
    this.progress = null;
    this.lastBeat = Date.now();
    // A beat that fails is retried by the next one; the lease allows for a few.
    await this.client.postJson(this.path('heartbeat'), { progress }).catch(() => {});
  }

  /** The current batch (counted from 1); sent with the next heartbeat, so calling it every batch costs nothing. */
  logProgress(batch: number, batches: number, values: { loss?: number; accuracy?: number; epoch?: number } = {}): void {
    this.progress = { batch, batches, ...values };
  }

  /** One finished epoch, counted from 1. */
  async logEpoch(epoch: number, metrics: EpochMetrics): Promise<void> {
    await this.client.postJson(this.path('epochs'), { epoch, ...metrics });
  }

  /** [n,classes] class probabilities (ten for MNIST), one row per test image in the dataset's order (n: all, or a prefix). */
  async logTestPredictions(probabilities: number[][] | Float32Array): Promise<void> {
    const rows = Array.isArray(probabilities)
      ? probabilities
      : Array.from({ length: probabilities.length / 10 }, (_, i) => Array.from(probabilities.subarray(i * 10, i * 10 + 10)));
    await this.client.putJson(this.path('predictions'), { probabilities: rows });
  }

  /**
   * The trained model, for explanations and the map: ONNX bytes, or a tfjs layers model taking
   * [n,28,28,1] (exported to ONNX here, as `digitlab export --format onnx` does). Say how the
   * script fed it pixels; what is left out the server finds on a trial batch, which a barely
   * trained model can mislead.
   */
  async logModel(model: Uint8Array | tf.LayersModel, feed: ModelFeed = {}): Promise<void> {
    const bytes = model instanceof Uint8Array ? model : layersModelToOnnx(model, 'digitlab-tracking');
    const query = new URLSearchParams();
    if (feed.scale) query.set('scale', feed.scale);
    if (feed.normalize) query.set('normalize', feed.normalize.join(','));
    if (feed.layout) query.set('layout', feed.layout);
    await this.client.putBytes(`${this.path('model')}${query.size > 0 ? `?${query}` : ''}`, bytes, {});
  }

  /** Ends the run as completed, failed (with its message) or cancelled; later calls do nothing. */
  async end(status: 'completed' | 'failed' | 'cancelled' = 'completed', error?: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.beat);
    await this.client.postJson(this.path('end'), { status, ...(error === undefined ? {} : { error: error.slice(0, 2000) }) });
  }

  /** Runs the training in `train`: completes the run when it returns, fails it with the error when it throws (and rethrows). */
  async track<T>(train: () => Promise<T>): Promise<T> {
    try {
      const value = await train();
      await this.end('completed');
      return value;
    } catch (err) {
      await this.end('failed', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      throw err;
    }
  }
}

/** Creates a running run on the server and starts renewing its lease. */
export async function startRun(server: string, options: StartRunOptions = {}): Promise<TrackedRun> {
  const client = new WorkerClient(server, options.token ?? process.env.DIGITLAB_TOKEN ?? null, { retryForMs: options.retryForMs ?? 30_000 });
  const { token: _token, retryForMs: _retry, ...body } = options;
  const created = await client.postJson<{ id: number; path: string; leaseSeconds: number }>('/api/tracking/runs', { framework: 'tfjs', ...body });
  return new TrackedRun(client, created.id, new URL(created.path, server).href, created.leaseSeconds);
}

type Logs = Record<string, number | undefined> | undefined;

/**
 * The callbacks for tfjs' model.fit({callbacks: [...]}) that log each epoch (tfjs' `loss`, `acc`
 * or `accuracy`, `val_loss`, `val_acc`; other numeric logs as scalars) and each batch's progress
 * (`batchesPerEpoch`, ceil(samples / batchSize), lets the first epoch's bar know its length).
 */
export function tfjsCallback(run: TrackedRun, { batchesPerEpoch = 0 }: { batchesPerEpoch?: number } = {}) {
  let started = Date.now();
  let epoch = 1;
  // tfjs tells a callback object nothing of the batch count: it is the given one, or learnt in epoch 1.
  let batches = batchesPerEpoch;
  return {
    onEpochBegin: async (index: number) => {
      epoch = index + 1;
      started = Date.now();
    },
    onBatchEnd: async (batch: number, logs?: Logs) => {
      batches = Math.max(batches, batch + 1);
      run.logProgress(batch + 1, batches, { epoch, loss: logs?.loss, accuracy: logs?.acc ?? logs?.accuracy });
    },
    onEpochEnd: async (index: number, logs: Logs = {}) => {
      const { loss, acc, accuracy, val_loss: valLoss, val_acc: valAcc, val_accuracy: valAccuracy, ...others } = logs;
      const metrics = Object.fromEntries(Object.entries(others).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
      await run.logEpoch(index + 1, {
        loss: loss!,
        accuracy: (acc ?? accuracy)!,
        ...(valLoss === undefined ? {} : { valLoss }),
        ...((valAcc ?? valAccuracy) === undefined ? {} : { valAccuracy: valAcc ?? valAccuracy }),
        seconds: (Date.now() - started) / 1000,
        metrics,
      });
    },
  };
}

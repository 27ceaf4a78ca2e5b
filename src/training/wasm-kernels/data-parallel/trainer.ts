import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../../models/model-spec.ts';
import { presetSpec } from '../../../models/model-presets.ts';
import type { Recipe } from '../../recipe.ts';
import {
  parameterCount, type ReplicaBackend, type ReplicaInit, type ReplicaReply, type ReplicaRequest, type ShardResult,
} from './protocol.ts';

export interface DataParallelOptions {
  /** Worker threads, each holding a replica; one per core pays. */
  replicas?: number;
  /** Seeds the initial weights, which every replica must share. */
  seed: number;
  /** Default: Adam at 0.001, constant. */
  recipe?: Recipe;
  labelSmoothing?: number;
  /** Default: the reference CNN. */
  spec?: ModelSpec;
  /** Default wasm; the cpu engine is too slow to pay for more than one replica. */
  backend?: ReplicaBackend;
}

const PLAIN_ADAM: Recipe = { optimizer: 'adam', learningRate: 0.001, momentum: 0, weightDecay: 0, lrSchedule: 'constant', totalSteps: 0 };

/**
 * Synchronous data-parallel training of any model spec on the wasm backend (or, with one
 * replica, training off the main thread on any engine but tfjs-node): each step splits
 * the batch across replicas on worker threads, each computes its shard's gradients, the
 * replicas sum them through shared memory and each applies the same Adam update. The
 * result equals one replica training on the whole batch, up to float rounding.
 */
export class DataParallelTrainer {
  private constructor(
    private readonly workers: Worker[],
    /** Each worker's unanswered requests, oldest first: a worker answers in the order it was asked. */
    private readonly pending: Map<Worker, ((reply: ReplicaReply) => void)[]>,
  ) {}

  static async create(options: DataParallelOptions): Promise<DataParallelTrainer> {
    const replicas = options.replicas ?? 2;
    const spec = options.spec ?? presetSpec('reference');
    const count = parameterCount(spec);
    // Two halves, alternating by step: see the replica's step().
    const gradients = new SharedArrayBuffer(2 * replicas * count * 4);
    const barrier = new SharedArrayBuffer(8);
    const pending = new Map<Worker, ((reply: ReplicaReply) => void)[]>();
    const workers = Array.from({ length: replicas }, (_, rank) => {
      const workerData: ReplicaInit = {
        rank, replicas, spec, backend: options.backend ?? 'wasm', seed: options.seed,
        recipe: options.recipe ?? PLAIN_ADAM, labelSmoothing: options.labelSmoothing ?? 0, gradients, barrier,
      };
      const worker = new Worker(new URL('./replica-thread.mjs', import.meta.url), { workerData });
      pending.set(worker, []);
      worker.on('message', (reply: ReplicaReply) => pending.get(worker)!.shift()?.(reply));
      worker.on('error', (err) => {
        // A dead worker answers nothing more: every request still waiting hears why.
        for (const resolve of pending.get(worker)!.splice(0)) resolve({ kind: 'error', message: err.stack ?? String(err) });
      });
      return worker;
    });
    const trainer = new DataParallelTrainer(workers, pending);
    const ready = await Promise.all(workers.map((w) => trainer.next(w)));
    for (const r of ready) {
      if (r.kind !== 'ready' || r.parameterCount !== count) {
        await trainer.close();
        throw new Error(`replica failed to start: ${r.kind === 'error' ? r.message : JSON.stringify(r)}`);
      }
    }
    return trainer;
  }

  /**
   * One Adam step on a batch: x is rows*28*28 pixels, y rows*classes one-hot labels. Returns, from
   * before the update, the batch's mean categorical cross-entropy, how many rows were classified
   * correctly, and how many predicted probabilities were not finite. The next step may be asked
   * before this one is answered: replicas take requests in order, and one waiting in their queue
   * starts the moment the last ends, without a round trip through this thread.
   */
  async step(x: Float32Array, y: Float32Array, rows: number): Promise<ShardResult> {
    const n = this.workers.length;
    if (rows < n) throw new Error(`a batch of ${rows} cannot be split across ${n} replicas`);
    const bounds = Array.from({ length: n + 1 }, (_, r) => Math.round((r * rows) / n));
    const replies = await Promise.all(
      this.workers.map((worker, r) => {
        const [from, to] = [bounds[r]!, bounds[r + 1]!];
        return this.request(worker, {
          kind: 'step', x: x.slice(from * 784, to * 784), y: y.slice(from * (y.length / rows), to * (y.length / rows)), rows: to - from, share: (to - from) / rows,
        });
      }),
    );
    return (replies as ShardResult[]).reduce(
      (total, shard) => ({
        loss: total.loss + shard.loss,
        correct: total.correct + shard.correct,
        nonFiniteOutputs: total.nonFiniteOutputs + shard.nonFiniteOutputs,
      }),
      { loss: 0, correct: 0, nonFiniteOutputs: 0 },
    );
  }

  /**
   * Inference on `rows` images split across the replicas, which hold the trained weights: the
   * probabilities, or the embeddings and the probabilities, each in row order.
   */
  async predict(x: Float32Array, rows: number, withEmbeddings: boolean): Promise<Float32Array[]> {
    const n = Math.min(this.workers.length, rows);
    const bounds = Array.from({ length: n + 1 }, (_, r) => Math.round((r * rows) / n));
    const replies = await Promise.all(
      this.workers.slice(0, n).map((worker, r) =>
        this.request(worker, { kind: 'predict', x: x.slice(bounds[r]! * 784, bounds[r + 1]! * 784), rows: bounds[r + 1]! - bounds[r]!, withEmbeddings }),
      ),
    );
    const shards = replies.map((reply) => (reply as { outputs: Float32Array[] }).outputs);
    return shards[0]!.map((_, k) => {
      const joined = new Float32Array(shards.reduce((length, shard) => length + shard[k]!.length, 0));
      let offset = 0;
      for (const shard of shards) {
        joined.set(shard[k]!, offset);
        offset += shard[k]!.length;
      }
      return joined;
    });
  }

  /**
   * The current weights of one replica, in model.weights order (what setWeights takes). The
   * trainable ones are equal in all replicas; batch norm's moving statistics are each replica's own.
   */
  async weights(replica = 0): Promise<{ values: Float32Array[]; shapes: number[][] }> {
    const worker = this.workers[replica];
    if (worker === undefined) throw new Error(`there is no replica ${replica}`);
    const reply = await this.request(worker, { kind: 'weights' });
    return reply as { values: Float32Array[]; shapes: number[][] };
  }

  /** Live tensors and wasm buffers in each replica, to check that steps leak nothing. */
  async memory(): Promise<{ tensors: number; buffers: number }[]> {
    const replies = await Promise.all(this.workers.map((w) => this.request(w, { kind: 'memory' })));
    return replies.map((r) => r as { tensors: number; buffers: number });
  }

  /** Ends the worker threads; after a failed step the trainer must be closed, not reused. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async request(worker: Worker, message: ReplicaRequest): Promise<ReplicaReply> {
    const reply = this.next(worker);
    worker.postMessage(message);
    const answer = await reply;
    if (answer.kind === 'error') throw new Error(`replica failed: ${answer.message}`);
    return answer;
  }

  private next(worker: Worker): Promise<ReplicaReply> {
    return new Promise((resolve) => this.pending.get(worker)!.push(resolve));
  }
}

import { Worker } from 'node:worker_threads';
import { DomainError } from '../../core/errors.ts';
import type { Db } from '../../../db/client.ts';
import { movablePart, portableRunModel, type PortableModel } from '../../models/run-model.ts';
import type { Run } from '../../store/store.ts';
import type { Attribution, ExplainMethod } from './explain.ts';

/** Probabilities only, of `count` images: own digits read by a run. */
export interface PredictRequest {
  kind: 'predict';
  id: number;
  runId: number;
  model?: PortableModel;
  pixels: Float32Array;
  count: number;
}

export interface ExplainRequest {
  kind: 'explain';
  id: number;
  runId: number;
  /** Sent only when the thread asks for it (it keeps the few it was sent). */
  model?: PortableModel;
  image: Float32Array;
  /** The class to explain; null for the predicted one. */
  target: number | null;
  method: ExplainMethod;
  /** Also the image's embedding, for its nearest training images. */
  embed: boolean;
}

export type ExplainReply =
  | {
      id: number;
      kind: 'done';
      probabilities: Float32Array;
      /** Or why there is none (integrated gradients of a model without gradients). */
      attribution: Attribution | { absent: string };
      /** Asked for with `embed`: the embedding, or why there is none. */
      embedding: Float32Array | string | null;
      /** Why the model has no gradients (an imported model), or null. */
      noGradients: string | null;
    }
  | { id: number; kind: 'predicted'; probabilities: Float32Array }
  | { id: number; kind: 'need-model' }
  | { id: number; kind: 'failed'; error: string };

export type Explanation = Extract<ExplainReply, { kind: 'done' }>;
type Predicted = Extract<ExplainReply, { kind: 'predicted' }>;

/** Requests waiting beyond this many are refused at once: each waits for hundreds of model passes. */
const MAX_WAITING = 64;

/**
 * A server's one thread for requests to runs' models (explanations, own digits read by each run):
 * answered in order, off the event loop, one at a time.
 */
export class ExplainThread {
  private thread: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { request: ExplainRequest | PredictRequest; run: Run; resolve: (reply: Explanation | Predicted) => void; reject: (error: Error) => void }>();

  constructor(private readonly db: Db) {}

  /** Requests not yet answered. */
  get waiting(): number {
    return this.pending.size;
  }

  explain(run: Run, image: Float32Array, target: number | null, method: ExplainMethod, embed = false): Promise<Explanation> {
    return this.ask({ kind: 'explain', id: this.nextId++, runId: run.id, image, target, method, embed }, run) as Promise<Explanation>;
  }

  /** Ten probabilities per image of `pixels` ([0,1], 784 each) under the run's model. */
  async probabilities(run: Run, pixels: Float32Array, count: number): Promise<Float32Array> {
    const reply = (await this.ask({ kind: 'predict', id: this.nextId++, runId: run.id, pixels, count }, run)) as Predicted;
    return reply.probabilities;
  }

  private ask(request: ExplainRequest | PredictRequest, run: Run): Promise<Explanation | Predicted> {
    if (this.pending.size >= MAX_WAITING) return Promise.reject(new ExplainQueueFullError(`${this.pending.size} requests to models are waiting already; try again in a moment`));
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { request, run, resolve, reject });
      this.send(request);
      this.thread?.ref(); // work in hand keeps the process alive; an idle thread does not
    });
  }

  /** Starts the thread and its engine ahead of the first request; an idle thread keeps no process alive. */
  warm(): void {
    if (this.pending.size === 0) this.threadOf().unref();
  }

  /** Ends the thread; requests under way fail. */
  stop(): void {
    void this.thread?.terminate();
  }

  private send(request: ExplainRequest | PredictRequest, moved: ArrayBuffer[] = []): void {
    this.threadOf().postMessage(request, moved);
  }

  private threadOf(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(new URL('./explain-thread.mjs', import.meta.url));
    thread.on('message', (reply: ExplainReply) => this.receive(reply));
    const fail = (error: Error) => {
      if (this.thread === thread) this.thread = null;
      for (const [id, job] of this.pending) {
        this.pending.delete(id);
        job.reject(error);
      }
    };
    thread.on('error', fail);
    thread.on('exit', (code) => fail(new Error(`the explaining thread exited with code ${code}`)));
    this.thread = thread;
    return thread;
  }

  private receive(reply: ExplainReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    if (reply.kind === 'need-model') {
      // The model's file goes to the thread without a copy: an imported one runs to 50 MB.
      portableRunModel(this.db, job.run).then(
        (model) => this.send({ ...job.request, model }, movablePart(model)),
        (err: Error) => {
          this.pending.delete(reply.id);
          job.reject(err);
        },
      );
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.thread?.unref();
    if (reply.kind === 'failed') job.reject(new Error(reply.error));
    else job.resolve(reply);
  }
}

/** Too many explanations waiting: the page asks again later. */
export class ExplainQueueFullError extends DomainError { readonly kind = 'unavailable'; }

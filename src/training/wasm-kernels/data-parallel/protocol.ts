import { checkModelSpec, type ModelSpec } from '../../../models/model-spec.ts';
import type { Recipe } from '../../recipe.ts';

/** The engines a replica can train on: tfjs-node keeps to the main thread. */
export type ReplicaBackend = 'wasm' | 'cpu';

/** Messages between DataParallelTrainer and its replicas (one per worker thread). */
export interface ReplicaInit {
  rank: number;
  replicas: number;
  spec: ModelSpec;
  backend: ReplicaBackend;
  seed: number;
  recipe: Recipe;
  labelSmoothing: number;
  /** 2 x replicas x parameterCount float32 gradients: each replica writes its own row, in alternate halves by step. */
  gradients: SharedArrayBuffer;
  /** Int32 [arrivals, generation]: the barrier every replica passes before summing. */
  barrier: SharedArrayBuffer;
}

export type ReplicaRequest =
  /** share: rows / batch rows, the weight of this shard's mean loss in the batch's. */
  | { kind: 'step'; x: Float32Array; y: Float32Array; rows: number; share: number }
  /** Inference on rows images; outputs: the probabilities, or the embeddings and the probabilities. */
  | { kind: 'predict'; x: Float32Array; rows: number; withEmbeddings: boolean }
  | { kind: 'weights' }
  | { kind: 'memory' };

export interface ShardResult {
  /** The shard's mean loss times its share; the shares' losses sum to the batch's mean loss. */
  loss: number;
  /** Rows whose most probable class is the label. */
  correct: number;
  /** Non-finite predicted probabilities (a NaN can hide behind the loss's clipping). */
  nonFiniteOutputs: number;
}

export type ReplicaReply =
  | { kind: 'ready'; parameterCount: number }
  | ({ kind: 'step' } & ShardResult)
  | { kind: 'predict'; outputs: Float32Array[] }
  | { kind: 'weights'; values: Float32Array[]; shapes: number[][] }
  | { kind: 'memory'; tensors: number; buffers: number }
  | { kind: 'error'; message: string };

/** Trainable parameters of a spec, so the gradient buffer can be sized before the replicas start. */
export const parameterCount = (spec: ModelSpec): number => checkModelSpec(spec).summary.trainableParameters;

import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BatchArrays } from '../data/batches.ts';
import { modelPredictor, type Predictor } from '../models/probability-fn.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import { trainingOptimizer, type Recipe } from './recipe.ts';
import { lossWithCounts } from './step-loss.ts';
import { DataParallelTrainer } from './wasm-kernels/data-parallel/trainer.ts';

/** What one training step reports, measured before the update. */
export interface BatchStats {
  loss: number;
  correct: number;
  nonFiniteOutputs: number;
}

/** Applies training steps to a model, on this thread or across worker threads. */
export interface TrainingStepper {
  step(batch: BatchArrays): Promise<BatchStats>;
  /** Inference with the weights trained so far, where the steps run. */
  predict: Predictor;
  /** Makes the model hold the trained weights, before it is saved. */
  syncModel(): Promise<void>;
  dispose(): Promise<void>;
}

/** A data-parallel share of a batch below this many images costs more in exchange than it saves. */
const MIN_ROWS_PER_WORKER = 8;
/** The most threads `train --threads` accepts, and so the most the default picks. */
export const MAX_WORKERS = 8;

/** The cores this process may use: what a run gets when nothing divides the machine among runs. */
export function availableCores(): number {
  return os.availableParallelism();
}

/**
 * The worker threads a run uses when its params name none: one per core it may use (`cores`), on
 * wasm, from a fresh model, with at least MIN_ROWS_PER_WORKER images each in a full batch and one
 * each in the last. Other engines train on one.
 */
export function defaultWorkers(options: {
  backend: string;
  cores: number;
  trainCount: number;
  batchSize: number;
  freshModel: boolean;
}): number {
  const { backend, cores, trainCount, batchSize, freshModel } = options;
  if (backend !== 'wasm' || !freshModel) return 1;
  const lastBatch = trainCount % batchSize || batchSize;
  return Math.max(1, Math.min(cores, MAX_WORKERS, Math.floor(batchSize / MIN_ROWS_PER_WORKER), lastBatch));
}

/** One optimizer step with minimize(); returns [loss, correct rows, non-finite outputs]. */
function localStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor, labelSmoothing: number): Float32Array {
  let counts: tf.Tensor1D | undefined;
  const stats = tf.tidy(() => {
    const loss = optimizer.minimize(() => {
      const step = lossWithCounts(model, x, y, labelSmoothing);
      counts = step.counts;
      return step.loss;
    }, true)!;
    return tf.concat([loss.reshape([1]), counts!]);
  });
  counts!.dispose();
  const values = stats.dataSync() as Float32Array;
  stats.dispose();
  return values;
}

/** Steps on this thread: for tfjs-node, whose kernels run natively, and for a model to continue. */
export function localStepper(model: tf.LayersModel, recipe: Recipe, labelSmoothing = 0): TrainingStepper {
  const optimizer = trainingOptimizer(recipe);
  return {
    async step({ pixels, oneHot, rows }) {
      const x = tf.tensor4d(pixels, [rows, 28, 28, 1]);
      const y = tf.tensor2d(oneHot, [rows, oneHot.length / rows]);
      const [loss, correct, nonFiniteOutputs] = localStep(model, optimizer, x, y, labelSmoothing);
      tf.dispose([x, y]);
      return { loss: loss!, correct: correct!, nonFiniteOutputs: nonFiniteOutputs! };
    },
    predict: modelPredictor(model),
    async syncModel() {},
    async dispose() {
      optimizer.dispose();
    },
  };
}

/**
 * Splits each batch across `workers` replicas on worker threads: on wasm about 1.35x the samples/s
 * of one thread on two cores. With one worker it trains off the main thread, which then answers
 * signals at once even on the slow cpu engine. The replicas start from the same seeded weights as
 * `model`, so a run is as repeatable as on one thread, though not bit-equal to it (the gradient
 * is summed in shards).
 */
export async function dataParallelStepper(
  model: tf.LayersModel,
  options: { workers: number; seed: number; spec: ModelSpec; recipe: Recipe; labelSmoothing: number; backend: 'wasm' | 'cpu' },
): Promise<TrainingStepper> {
  const trainer = await DataParallelTrainer.create({
    replicas: options.workers,
    seed: options.seed,
    spec: options.spec,
    recipe: options.recipe,
    labelSmoothing: options.labelSmoothing,
    backend: options.backend,
  });
  return {
    step: ({ pixels, oneHot, rows }) => trainer.step(pixels, oneHot, rows),
    predict: (pixels, rows, withEmbeddings) => trainer.predict(pixels, rows, withEmbeddings),
    async syncModel() {
      const { values, shapes } = await trainer.weights();
      const tensors = values.map((value, i) => tf.tensor(value, shapes[i]));
      model.setWeights(tensors);
      tf.dispose(tensors);
    },
    dispose: () => trainer.close(),
  };
}

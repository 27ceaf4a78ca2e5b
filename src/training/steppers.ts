import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BatchArrays } from '../data/batches.ts';
import { modelPredictor, type Predictor } from '../models/probability-fn.ts';
import { checkModelSpec, type ModelSpec } from '../models/model-spec.ts';
import { trainingOptimizer, type Recipe } from './recipe.ts';
import { minimizeStep } from './step-loss.ts';
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
/**
 * A step with fewer multiply-adds than this (the spec's per image, times the batch) is done
 * sooner by one thread than shared: each shared step pays about 1.5 to 2.5 ms of exchange and
 * waiting. Measured on 2 cores (AMD EPYC) at batch 64: lenet5 (0.42 M per image) and mlp (0.23 M)
 * trained faster on one worker, the reference CNN (2.5 M) and every larger preset on two.
 */
const MIN_MULTIPLY_ADDS_TO_SHARE = 64e6;
/** The most threads `train --threads` accepts, and so the most the default picks. */
export const MAX_WORKERS = 8;

/** The cores this process may use: what a run gets when nothing divides the machine among runs. */
export function availableCores(): number {
  return os.availableParallelism();
}

/**
 * The worker threads a run uses when its params name none: one per core it may use (`cores`), on
 * wasm, from a fresh model, with at least MIN_ROWS_PER_WORKER images each in a full batch and one
 * each in the last, when a step has the work to pay for sharing (MIN_MULTIPLY_ADDS_TO_SHARE).
 * Other engines train on one.
 */
export function defaultWorkers(options: {
  backend: string;
  cores: number;
  trainCount: number;
  batchSize: number;
  freshModel: boolean;
  spec: ModelSpec;
}): number {
  const { backend, cores, trainCount, batchSize, freshModel } = options;
  if (backend !== 'wasm' || !freshModel) return 1;
  if (checkModelSpec(options.spec).summary.multiplyAdds * batchSize < MIN_MULTIPLY_ADDS_TO_SHARE) return 1;
  const lastBatch = trainCount % batchSize || batchSize;
  return Math.max(1, Math.min(cores, MAX_WORKERS, Math.floor(batchSize / MIN_ROWS_PER_WORKER), lastBatch));
}

/** Steps on this thread: for tfjs-node, whose kernels run natively, and for a model to continue. */
export function localStepper(model: tf.LayersModel, recipe: Recipe, labelSmoothing = 0): TrainingStepper {
  const optimizer = trainingOptimizer(recipe);
  return {
    async step({ pixels, oneHot, rows }) {
      const x = tf.tensor4d(pixels, [rows, 28, 28, 1]);
      const y = tf.tensor2d(oneHot, [rows, oneHot.length / rows]);
      const stats = minimizeStep(model, optimizer, x, y, labelSmoothing);
      tf.dispose([x, y]);
      return stats;
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

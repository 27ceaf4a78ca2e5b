/**
 * Throughput of the reference CNN on whichever tfjs backend is active.
 *
 * The training step measured here is the one a real training loop should use:
 *
 *   optimizer.minimize(() => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true })).mean(), true)
 *
 * with registerWasmTrainingKernels() in force (backend.ts loads it with wasm) and, on wasm,
 * `new FusedAdam(lr)` in place of `tf.train.adam(lr)`: the same updates to the bit, ~1.7 ms of CPU
 * less per step (adamOptimizer in optimizer.ts picks it). model.trainOnBatch and a softmax cross-entropy on
 * logits measured within run-to-run noise of this step: the kernels, not the step's formulation,
 * set the speed. Read the returned loss only when it is reported.
 *
 * On two cores, DataParallelTrainer (wasm-kernels/data-parallel) runs the same step with the batch
 * split across two worker threads and is the faster choice: measureDataParallelThroughput below.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../models/model.ts';
import type { ModelSpec } from '../models/model-spec.ts';
import { DataParallelTrainer } from './wasm-kernels/data-parallel/trainer.ts';
import type { ReplicaBackend } from './wasm-kernels/data-parallel/protocol.ts';
import { adamOptimizer } from './optimizer.ts';

export interface TrainingThroughputOptions {
  /** Default: the reference CNN. */
  spec?: ModelSpec;
  batchSize?: number;
  batches?: number;
  warmup?: number;
}

export async function measureTrainingThroughput(
  opts: TrainingThroughputOptions = {},
): Promise<{ samplesPerSecond: number }> {
  const { batchSize = 64, batches = 30, warmup = 5 } = opts;
  const model = buildModel(opts.spec, 1);
  const optimizer = adamOptimizer(0.001);
  const x = tf.randomUniform([batchSize, 28, 28, 1]);
  const y = randomOneHot(batchSize);
  const step = () =>
    optimizer.minimize(
      () => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar,
      true,
    )!;
  try {
    await runSteps(step, warmup);
    const start = performance.now();
    await runSteps(step, batches);
    const seconds = (performance.now() - start) / 1000;
    return { samplesPerSecond: (batches * batchSize) / seconds };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

async function runSteps(step: () => tf.Scalar, count: number): Promise<void> {
  let last: tf.Scalar | undefined;
  for (let i = 0; i < count; i++) {
    last?.dispose();
    last = step();
  }
  if (last !== undefined) {
    await last.data();
    last.dispose();
  }
}

function randomOneHot(count: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.randomUniform([count], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat());
}

/**
 * The same measurement for synchronous data-parallel training on the wasm backend, each step's
 * batch split across `replicas` worker threads (independent of the backend active here).
 */
export async function measureDataParallelThroughput(
  opts: TrainingThroughputOptions & { replicas?: number; backend?: ReplicaBackend } = {},
): Promise<{ samplesPerSecond: number }> {
  const { batchSize = 64, batches = 30, warmup = 5, replicas = 2 } = opts;
  const x = new Float32Array(batchSize * 784).map(() => Math.random());
  const y = new Float32Array(batchSize * 10);
  for (let row = 0; row < batchSize; row++) y[row * 10 + Math.floor(Math.random() * 10)] = 1;
  const trainer = await DataParallelTrainer.create({ replicas, seed: 1, spec: opts.spec, backend: opts.backend });
  // As train does it: the next step is asked while one trains.
  const steps = async (count: number) => {
    let ahead = trainer.step(x, y, batchSize);
    for (let i = 1; i < count; i++) {
      const current = ahead;
      ahead = trainer.step(x, y, batchSize);
      await current;
    }
    await ahead;
  };
  try {
    await steps(warmup);
    const start = performance.now();
    await steps(batches);
    return { samplesPerSecond: (batches * batchSize * 1000) / (performance.now() - start) };
  } finally {
    await trainer.close();
  }
}

const PREDICTION_BATCH = 500;

export async function measurePredictionThroughput(
  opts: { spec?: ModelSpec; images?: number } = {},
): Promise<{ imagesPerSecond: number }> {
  const { images = 10_000 } = opts;
  const model = buildModel(opts.spec, 1);
  const x = tf.randomUniform([images, 28, 28, 1]);
  try {
    await predictAll(model, x, Math.min(images, PREDICTION_BATCH));
    const start = performance.now();
    await predictAll(model, x, images);
    const seconds = (performance.now() - start) / 1000;
    return { imagesPerSecond: images / seconds };
  } finally {
    x.dispose();
    model.dispose();
  }
}

/** Classifies the first `count` images in batches, downloading each batch's probabilities as a caller would. */
async function predictAll(model: tf.LayersModel, x: tf.Tensor, count: number): Promise<void> {
  for (let start = 0; start < count; start += PREDICTION_BATCH) {
    const size = Math.min(PREDICTION_BATCH, count - start);
    const probabilities = tf.tidy(() => model.predict(x.slice(start, size)) as tf.Tensor);
    await probabilities.data();
    probabilities.dispose();
  }
}

import type { Db } from '../../db/client.ts';
import { REFERENCE_HYPERPARAMETERS, type Hyperparameters } from '../../src/training/hyperparameters.ts';
import { seededRandom } from '../../src/core/random.ts';
import { claimRun, completeRun, createRun, getRun, logEpoch, type Run } from '../../src/store/store.ts';

/**
 * A completed run as training would record it, without training: predictions for the given test
 * labels that are right with probability `accuracy`, their confusion matrix, and `epochs` epochs.
 * Seeded, so tests can count on what it holds. `collapseTo` makes every prediction that class, as a
 * collapsed model's are.
 */
export function recordCompletedRun(
  db: Db,
  labels: Uint8Array,
  options: {
    name?: string;
    accuracy?: number;
    seed?: number;
    epochs?: number;
    tags?: Record<string, string>;
    params?: Partial<Hyperparameters>;
    collapseTo?: number;
    /** Each epoch's validation confusion matrix, in order; none stored without. */
    valConfusions?: number[][][];
    /** Seeded random test embeddings of this many dimensions; none stored without. */
    embeddingDimensions?: number;
    /** The dataset's class count (10 without): the width of the probabilities and the matrix. */
    classes?: number;
    /** The run's dataset (params.dataset); MNIST without. */
    dataset?: string;
  } = {},
): Run {
  const { accuracy = 0.9, seed = 1, epochs = 3, classes = 10 } = options;
  const random = seededRandom(seed);
  const params = { ...REFERENCE_HYPERPARAMETERS, seed, epochs, testLimit: labels.length === 10000 ? null : labels.length, ...options.params, ...(options.dataset ? { dataset: options.dataset } : {}) };
  const run = createRun(db, { name: options.name ?? `recorded ${seed}`, params, tags: options.tags });
  claimRun(db, run.id);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const fit = 1 - 1 / (epoch + 1);
    logEpoch(db, run.id, {
      epoch,
      loss: 0.5 / epoch,
      accuracy: accuracy * fit,
      // A run that held out no validation data has no validation figures, as training records it.
      valLoss: params.validationSplit > 0 ? 0.6 / epoch : null,
      valAccuracy: params.validationSplit > 0 ? accuracy * fit - 0.01 : null,
      seconds: 10,
      valConfusion: options.valConfusions?.[epoch - 1] ?? null,
    });
  }
  const predicted = new Uint8Array(labels.length);
  const probabilities = new Float32Array(labels.length * classes);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  labels.forEach((label, i) => {
    const guess = options.collapseTo ?? (random() < accuracy ? label : (label + 1 + Math.floor(random() * (classes - 1))) % classes);
    const confidence = 0.5 + random() * 0.5;
    probabilities.fill((1 - confidence) / (classes - 1), i * classes, i * classes + classes);
    probabilities[i * classes + guess] = confidence;
    predicted[i] = guess;
    confusion[label]![guess]!++;
  });
  const correct = predicted.filter((p, i) => p === labels[i]).length;
  completeRun(
    db,
    run.id,
    {
      loss: 0.1,
      accuracy: correct / labels.length,
      confusion,
      predicted,
      probabilities,
      embeddings: Float32Array.from({ length: labels.length * (options.embeddingDimensions ?? 0) }, random),
      embeddingDimensions: options.embeddingDimensions ?? 0,
      trainSamplesPerSecond: 500,
    },
    { topology: {}, weightSpecs: [], weightData: Buffer.alloc(0) },
  );
  return getRun(db, run.id);
}

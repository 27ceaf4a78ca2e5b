import * as tf from '@tensorflow/tfjs';
import { batchAugmentation } from '../data/augment/batch-augmentation.ts';
import { gatherBatchArrays, sliceImages, type LabelledImages } from '../data/batches.ts';
import { throwIfCancelled } from './cancellation.ts';
import { DivergedError, divergedLoss } from './degenerate-model.ts';
import { evaluate, evaluateWithEmbeddings, type TestEvaluation } from './evaluate.ts';
import { modelPredictor } from '../models/probability-fn.ts';
import { datasetOf, modelSpecOf, type Hyperparameters } from './hyperparameters.ts';
import type { LabelCorrection } from '../store/label-issues-decisions.ts';
import { loadDataset } from '../data/datasets/catalogue.ts';
import type { Db } from '../../db/client.ts';
import { outputUnits } from '../models/model-spec.ts';
import { buildModel } from '../models/model.ts';
import { seededRandom, shuffledIndices } from '../core/random.ts';
import { recipeOf } from './recipe.ts';
import { dataParallelStepper, localStepper, type TrainingStepper } from './steppers.ts';
import { trainingSet } from './training-set.ts';

export type { BatchProgress, EpochResult } from '../store/run-types.ts';
import type { BatchProgress, EpochResult } from '../store/run-types.ts';

/** Training knows a reporter, not where the numbers go (terminal, SQLite, both). */
export interface TrainingReporter {
  onBatch?(progress: BatchProgress): void;
  onEpoch?(result: EpochResult): void;
}

export interface TrainingResult {
  model: tf.LayersModel;
  epochs: EpochResult[];
  test: TestEvaluation;
  /** The predictions for `heldOut`, when it was given. */
  heldOut: TestEvaluation | null;
  trainSamplesPerSecond: number;
  /** With early stopping, the epoch whose weights the model holds; null without it. */
  keptEpoch: number | null;
}

export class NonFiniteLossError extends DivergedError {}

/**
 * A training loss at the clip ceiling fails the run as a NaN does, after its epoch is recorded. A
 * model whose predictions collapse to one class is not failed: batch norm's moving statistics
 * lag its batch statistics for the first few hundred steps (at Keras' momentum 0.99), so such a
 * model can predict one class while it learns. The pages flag it instead (degenerate-model.ts).
 */
function failIfDiverged(epoch: number, loss: number): void {
  const reason = divergedLoss(loss);
  if (reason) throw new DivergedError(`${reason} (epoch ${epoch})`);
}

/** Keras' `validation_split`: the validation set is the *last* fraction, taken before shuffling. */
export function splitForValidation(data: LabelledImages, validationSplit: number) {
  const trainCount = Math.floor(data.count * (1 - validationSplit));
  return {
    train: sliceImages(data, 0, trainCount),
    validation: trainCount < data.count ? sliceImages(data, trainCount, data.count) : null,
  };
}

/**
 * The training images a run was given, split as it split them: what it learned from and what it
 * validated on. The same path as training: its --train-limit, its training set (corrected
 * labels, ambiguous images left out, its held-out fold left out), then the validation split.
 * `decisions` are the store's label decisions now (`runLabelDecisions`), which may differ from
 * those in force when the run trained. A registered dataset needs the store (`db`).
 */
export function runTrainingSplit(hp: Hyperparameters, decisions: LabelCorrection[], db: Db | null = null) {
  const train = loadDataset(db, datasetOf(hp), 'train', { limit: hp.trainLimit ?? undefined });
  return splitForValidation(trainingSet(decisions, hp, train).train, hp.validationSplit);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains the run's network with Keras semantics: validation split from the end, a fresh seeded
 * shuffle every epoch, the run's recipe (Adam by default), categorical cross-entropy. Stops with
 * NonFiniteLossError on a NaN/Inf loss and with TrainingCancelledError when `signal` aborts
 * (checked between batches). With early stopping, ends after that many epochs without a lower
 * validation loss and restores the weights of the best epoch.
 */
export async function trainModel(options: {
  train: LabelledImages;
  test: LabelledImages;
  /** Images the model does not train on but predicts at the end, as it predicts the test set (a label-audit fold). */
  heldOut?: LabelledImages;
  hyperparameters: Hyperparameters;
  reporter?: TrainingReporter;
  signal?: AbortSignal;
  /** Continue from this model instead of a freshly initialised reference CNN. */
  initialModel?: tf.LayersModel;
}): Promise<TrainingResult> {
  const { hyperparameters: hp, reporter = {}, signal } = options;
  const { train, validation } = splitForValidation(options.train, hp.validationSplit);
  if (train.count === 0) throw new Error('no training images left after the validation split');
  const batches = Math.ceil(train.count / hp.batchSize);
  const workers = hp.workers ?? 1;
  checkWorkers(workers, train.count, hp.batchSize, options.initialModel !== undefined);
  if (hp.earlyStopping && !validation) throw new Error('early stopping needs a validation split');
  const spec = modelSpecOf(hp);
  const classes = outputUnits(spec);
  const model = options.initialModel ?? buildModel(spec, hp.seed);
  const recipe = recipeOf(hp, batches);
  const labelSmoothing = hp.labelSmoothing ?? 0;
  const best = new BestEpoch(hp.earlyStopping ?? null);
  const backend = tf.getBackend();
  let stepper: TrainingStepper | undefined;
  const random = seededRandom(hp.seed);
  const epochs: EpochResult[] = [];
  let trainSeconds = 0;

  try {
    // Off the main thread wherever a worker thread can run the engine, so that signals are answered.
    stepper =
      options.initialModel === undefined && (backend === 'wasm' || backend === 'cpu')
        ? await dataParallelStepper(model, { workers, seed: hp.seed, spec, recipe, labelSmoothing, backend })
        : localStepper(model, recipe, labelSmoothing);
    for (let epoch = 1; epoch <= hp.epochs; epoch++) {
      const epochStart = performance.now();
      const order = shuffledIndices(train.count, random);
      let lossSum = 0;
      let correct = 0;
      const stepOn = (batch: number) => {
        const indices = order.subarray(batch * hp.batchSize, Math.min((batch + 1) * hp.batchSize, train.count));
        const stats = stepper!.step(gatherBatchArrays(train, indices, batchAugmentation(hp, epoch), classes));
        // Awaited in turn below; until then a failure must not count as unhandled.
        stats.catch(() => {});
        return { rows: indices.length, stats };
      };
      // One step is always asked ahead, so the engine starts the next batch without waiting for this
      // thread to read the last one's figures. The updates are the same, in the same order.
      let ahead = stepOn(0);
      for (let batch = 0; batch < batches; batch++) {
        throwIfCancelled(signal);
        const current = ahead;
        if (batch + 1 < batches) ahead = stepOn(batch + 1);
        const { loss: batchLoss, correct: batchCorrect, nonFiniteOutputs } = await current.stats;
        if (!Number.isFinite(batchLoss) || nonFiniteOutputs > 0) {
          const what = Number.isFinite(batchLoss) ? 'model outputs became NaN' : `loss became ${batchLoss}`;
          throw new NonFiniteLossError(`${what} at epoch ${epoch}, batch ${batch + 1}`);
        }
        lossSum += batchLoss * current.rows;
        correct += batchCorrect;
        const seen = batch * hp.batchSize + current.rows;
        const elapsed = trainSeconds + (performance.now() - epochStart) / 1000;
        const samplesDone = (epoch - 1) * train.count + seen;
        reporter.onBatch?.({
          epoch,
          epochs: hp.epochs,
          batch: batch + 1,
          batches,
          loss: lossSum / seen,
          accuracy: correct / seen,
          batchLoss,
          batchAccuracy: batchCorrect / current.rows,
          etaSeconds: (elapsed / samplesDone) * (hp.epochs * train.count - samplesDone),
        });
        await yieldToEventLoop();
      }
      trainSeconds += (performance.now() - epochStart) / 1000;
      const validationScore = validation ? await evaluate(stepper.predict, validation, signal) : null;
      const result: EpochResult = {
        epoch,
        loss: lossSum / train.count,
        accuracy: correct / train.count,
        valLoss: validationScore?.loss ?? null,
        valAccuracy: validationScore?.accuracy ?? null,
        seconds: (performance.now() - epochStart) / 1000,
        valConfusion: validationScore?.confusion ?? null,
      };
      epochs.push(result);
      reporter.onEpoch?.(result);
      failIfDiverged(epoch, result.loss);
      if (best.watching) {
        await stepper.syncModel();
        if (best.shouldStop(model, result)) break;
      }
    }
    await stepper.syncModel();
    // An earlier epoch's weights put back are no longer the replicas': predict with the model itself.
    const keptEpoch = best.restore(model);
    const predict = keptEpoch !== null && keptEpoch !== epochs.length ? modelPredictor(model) : stepper.predict;
    const test = await evaluateWithEmbeddings(predict, options.test, signal);
    const heldOut = options.heldOut ? await evaluateWithEmbeddings(predict, options.heldOut, signal) : null;
    return {
      model,
      epochs,
      test,
      heldOut,
      trainSamplesPerSecond: (epochs.length * train.count) / trainSeconds,
      keptEpoch,
    };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    best.dispose();
    await stepper?.dispose();
  }
}

/** Early stopping's memory: the epoch with the lowest validation loss so far and its weights. */
class BestEpoch {
  private epoch = 0;
  private loss = Infinity;
  private weights: tf.Tensor[] = [];

  constructor(private readonly patience: number | null) {}

  /** Whether early stopping is on, so each epoch's weights must be looked at. */
  get watching(): boolean {
    return this.patience !== null;
  }

  /** Keeps the weights if this epoch is the best yet; true once `patience` epochs passed without one. */
  shouldStop(model: tf.LayersModel, result: EpochResult): boolean {
    if (this.patience === null || result.valLoss === null) return false;
    if (result.valLoss < this.loss) {
      this.dispose();
      this.epoch = result.epoch;
      this.loss = result.valLoss;
      this.weights = model.getWeights().map((w) => w.clone());
    }
    return result.epoch - this.epoch >= this.patience;
  }

  /** Puts the best epoch's weights back; returns that epoch, or null without early stopping. */
  restore(model: tf.LayersModel): number | null {
    if (this.patience === null) return null;
    model.setWeights(this.weights);
    return this.epoch;
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.weights = [];
  }
}

/** Data-parallel steps need wasm, a fresh model, and every batch at least one row per worker. */
function checkWorkers(workers: number, trainCount: number, batchSize: number, hasInitialModel: boolean): void {
  if (workers === 1) return;
  if (tf.getBackend() !== 'wasm') {
    throw new Error(`training on ${workers} workers needs the wasm backend; this run uses ${tf.getBackend()}`);
  }
  if (hasInitialModel) throw new Error('training on several workers starts from a fresh model only');
  const lastBatch = trainCount % batchSize || batchSize;
  if (Math.min(batchSize, lastBatch) < workers) {
    throw new Error(`a batch of ${Math.min(batchSize, lastBatch)} images cannot be split across ${workers} workers`);
  }
}

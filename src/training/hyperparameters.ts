import type { AugmentationSettings } from '../data/augment/augmentation-settings.ts';
import type { LayerSpec, ModelSpec } from '../models/model-spec.ts';
import { presetSpec } from '../models/model-presets.ts';
import type { LrSchedule, OptimizerName } from './recipe.ts';

/**
 * Everything that shapes a run's numbers; stored verbatim as the run's params. The optional fields are
 * present only when they differ from the reference experiment, so runs that do not use them keep
 * the params older runs have (and group, diff and name as they always did).
 */
export interface Hyperparameters extends AugmentationSettings {
  /** The dataset trained and tested on; absent means MNIST, as every run before datasets were named. */
  dataset?: string;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  learningRate: number;
  seed: number;
  /** Use only the first N training images (null: all 60,000). */
  trainLimit: number | null;
  /** Use only the first N test images (null: all 10,000). */
  testLimit: number | null;
  /**
   * Threads that share each batch (wasm only); absent (older runs) means 1. Set by `--threads`;
   * the key keeps its first name so that recorded runs still read.
   */
  workers?: number;
  /** 'corrected': train on the labels as the label decisions correct them; absent means the original labels. */
  labels?: 'corrected';
  /** 'ambiguous': leave out the training images judged ambiguous; absent leaves none out. */
  exclude?: 'ambiguous';
  /**
   * A label-audit fold: train on the training images whose index modulo `folds` is not `fold`,
   * and predict those that are. Absent on ordinary runs.
   */
  fold?: number;
  folds?: number;
  /** The preset name or spec file the network came from; absent means the reference CNN. */
  model?: string;
  /** The network's layers, recorded with `model` so a run says what it trained whatever the file became. */
  layers?: LayerSpec[];
  /** Absent means adam. */
  optimizer?: OptimizerName;
  momentum?: number;
  weightDecay?: number;
  /** Absent means constant. */
  lrSchedule?: LrSchedule;
  labelSmoothing?: number;
  /** Stop after this many epochs without a lower validation loss, keeping the best epoch's weights. */
  earlyStopping?: number;
}

/** The network a run trains: its recorded layers, or the reference CNN for runs without any. */
export function modelSpecOf(hp: Hyperparameters): ModelSpec {
  return hp.layers ? { layers: hp.layers } : presetSpec('reference');
}

/** The images a run trains on each epoch: its limit (or all 60,000), less the validation split taken from the end. */
export const trainingImages = (hp: Pick<Hyperparameters, 'trainLimit' | 'validationSplit'>) => Math.floor((hp.trainLimit ?? 60_000) * (1 - hp.validationSplit));

/** The name of the dataset a run trains on. */
export const datasetOf = (hp: Pick<Hyperparameters, 'dataset'>) => hp.dataset ?? 'mnist';

/** The name of the network a run trains. */
export const modelNameOf = (hp: Hyperparameters) => hp.model ?? 'reference';

/** The reference experiment of DESIGN.md. */
export const REFERENCE_HYPERPARAMETERS: Hyperparameters = {
  epochs: 5,
  batchSize: 64,
  validationSplit: 0.2,
  learningRate: 0.001,
  seed: 42,
  trainLimit: null,
  testLimit: null,
};

import type { AugmentSettings } from './affine.ts';

/**
 * What a run asks of augmentation, as its hyperparameters record it: the data layer reads these
 * fields and nothing else of a run, so it needs no knowledge of training.
 */
export interface AugmentationSettings {
  /** Seeds the draws, so an epoch's augmented images repeat exactly. */
  seed: number;
  /** Share of training sevens given a synthetic crossing bar; absent (older runs) means 0. */
  augmentCrossedSevens?: number;
  /** On-the-fly random transforms of each training batch. */
  augment?: AugmentSettings;
}

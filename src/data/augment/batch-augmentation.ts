import type { BatchAugmentation } from '../batches.ts';
import type { AugmentationSettings } from './augmentation-settings.ts';
import { transformBatch } from './affine.ts';
import { crossSevens } from './crossed-sevens.ts';

/**
 * The augmentation a run's hyperparameters ask for in this epoch; undefined when none. Crossing
 * bars go on first, so that a shifted or rotated seven carries its bar along.
 */
export function batchAugmentation(hp: AugmentationSettings, epoch: number): BatchAugmentation | undefined {
  const fraction = hp.augmentCrossedSevens ?? 0;
  const transforms = hp.augment && Object.keys(hp.augment).length > 0 ? hp.augment : null;
  if (fraction <= 0 && !transforms) return undefined;
  return (pixels, indices, labels) => {
    if (fraction > 0) crossSevens(pixels, indices, labels, { fraction, seed: hp.seed, epoch });
    if (transforms) transformBatch(pixels, indices, transforms, hp.seed, epoch);
  };
}

import type { BatchAugmentation } from '../batches.ts';
import type { Hyperparameters } from '../hyperparameters.ts';
import { crossSevens } from './crossed-sevens.ts';

/** The augmentation a run's hyperparameters ask for in this epoch; undefined when none. */
export function batchAugmentation(hp: Hyperparameters, epoch: number): BatchAugmentation | undefined {
  const fraction = hp.augmentCrossedSevens ?? 0;
  if (fraction <= 0) return undefined;
  return (pixels, indices, labels) => crossSevens(pixels, indices, labels, { fraction, seed: hp.seed, epoch });
}

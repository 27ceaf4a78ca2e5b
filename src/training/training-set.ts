import { DEFAULT_DATASET } from '../data/datasets/catalogue.ts';
import { createHash } from 'node:crypto';
import type { LabelledImages } from '../data/batches.ts';
import type { Hyperparameters } from './hyperparameters.ts';
import type { Db } from '../../db/client.ts';
import { correctLabels, listLabelDecisions, type LabelCorrection } from '../store/label-issues-decisions.ts';
import type { DatasetSplit } from '../data/datasets/dataset.ts';

const PIXELS = 28 * 28;

/** Images of `data` at `indices`, copied into one contiguous view. */
export function pickImages(data: LabelledImages, indices: ArrayLike<number>): LabelledImages {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row]!;
    images.set(data.images.subarray(index * PIXELS, (index + 1) * PIXELS), row * PIXELS);
    labels[row] = data.labels[index]!;
  }
  return { images, labels, count: indices.length };
}

/** Which fold a training image belongs to: by index, so every fold has each class in MNIST's proportions. */
export const foldOf = (index: number, folds: number) => index % folds;

export interface TrainingSet {
  train: LabelledImages;
  /** A fold run's held-out images and their training-set indices. */
  heldOut: { indices: Uint32Array; data: LabelledImages } | null;
  /** sha256 of the labels trained on, when decisions changed them: the provenance of corrected labels. */
  correctedLabelsSha256: string | null;
  /** How many images the label decisions relabelled and left out. */
  relabelled: number;
  excluded: number;
}

/** Whether a run's training set depends on the training-set label decisions, which are MNIST's (a run on another dataset is refused them). */
export const usesLabelDecisions = (hp: Hyperparameters) => (hp.labels === 'corrected' || hp.exclude === 'ambiguous') && hp.dataset === undefined;

/** The store's training-set label decisions that a run's training set depends on: none for an ordinary run. */
export const runLabelDecisions = (db: Db, hp: Hyperparameters): LabelCorrection[] =>
  usesLabelDecisions(hp) ? listLabelDecisions(db, DEFAULT_DATASET, 'train').map(({ imageIndex, verdict, correctedLabel }) => ({ imageIndex, verdict, correctedLabel })) : [];

/**
 * The training images a run trains on: the split as loaded, relabelled by the training-set label
 * decisions (`labels: 'corrected'`), without the ambiguous ones (`exclude: 'ambiguous'`), and
 * without its held-out fold when it is a label-audit fold. Order is kept, so Keras' validation
 * split still comes from the end.
 */
export function trainingSet(decisions: LabelCorrection[], hp: Hyperparameters, split: DatasetSplit): TrainingSet {
  const decided = usesLabelDecisions(hp) ? correctLabels(split.labels, decisions) : null;
  const labels = hp.labels === 'corrected' && decided ? decided.labels : split.labels;
  const excluded = hp.exclude === 'ambiguous' && decided ? decided.ambiguous : new Set<number>();
  const kept: number[] = [];
  const heldOut: number[] = [];
  for (let i = 0; i < split.count; i++) {
    if (excluded.has(i)) continue;
    if (hp.folds !== undefined && foldOf(i, hp.folds) === hp.fold) heldOut.push(i);
    else kept.push(i);
  }
  const relabelled = { images: split.images, labels, count: split.count };
  return {
    train: kept.length === split.count ? relabelled : pickImages(relabelled, kept),
    heldOut: hp.folds === undefined ? null : { indices: Uint32Array.from(heldOut), data: pickImages(relabelled, heldOut) },
    correctedLabelsSha256: hp.labels === 'corrected' ? createHash('sha256').update(labels).digest('hex') : null,
    relabelled: hp.labels === 'corrected' && decided ? decided.corrected : 0,
    excluded: excluded.size,
  };
}

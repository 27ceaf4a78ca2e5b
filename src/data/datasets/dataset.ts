import { DomainError } from '../../core/errors.ts';

export type SplitName = 'train' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'test'];

/** Every dataset is made of 28x28 greyscale images, the input every model here takes. */
export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;
export const CLASS_LIMITS = { min: 2, max: 100 } as const;

/** One split as raw bytes: `images` holds `count` row-major 28x28 uint8 images, ink light on dark. */
export interface DatasetSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** The split's fingerprints: for IDX the sha256 of its two files as stored; for a picture folder, of its decoded images and its labels. */
  imagesSha256: string;
  labelsSha256: string;
}

/** A split together with the names its labels index. */
export interface NamedSplit extends DatasetSplit {
  dataset: string;
  classNames: string[];
}

/** A file a dataset is read from and its sha256, as `sha256sum` computes it. */
export interface DatasetFile {
  path: string;
  sha256: string;
}

/**
 * A dataset as every layer is given it: what it is called, what its labels mean, where it comes
 * from, and how to read a split. An IDX dataset's files are read and checked on every load; a
 * registered picture folder is read from the store, where it was kept decoded.
 */
export interface Dataset {
  name: string;
  kind: 'idx' | 'images';
  builtIn: boolean;
  /** Where it is read from: a directory of IDX files or a picture folder. */
  path: string;
  classNames: string[];
  load(split: SplitName, options?: { limit?: number }): NamedSplit;
}

/** A dataset that cannot be read or registered as given; the message names the file and the problem. */
export class DatasetError extends DomainError {
  readonly kind = 'invalid';
}

export class DatasetNotFoundError extends DomainError {
  readonly kind = 'not-found';
}

/** Digits, MNIST's class names. */
export const DIGIT_CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

/** Throws unless the class count is within what the workbench handles. */
export function checkClassCount(count: number, where: string): void {
  if (count < CLASS_LIMITS.min || count > CLASS_LIMITS.max) {
    throw new DatasetError(`${where}: ${count} class${count === 1 ? '' : 'es'}; a dataset has from ${CLASS_LIMITS.min} to ${CLASS_LIMITS.max}`);
  }
}

/** Images per class, in label order. */
export function classCounts(labels: Uint8Array, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

/** Throws naming the first class without an image in a split. */
export function checkNoEmptyClass(counts: number[], classNames: string[], where: string): void {
  const empty = counts.findIndex((n) => n === 0);
  if (empty >= 0) throw new DatasetError(`${where}: class ${empty} ('${classNames[empty]}') has no images`);
}

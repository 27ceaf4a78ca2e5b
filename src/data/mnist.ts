import path from 'node:path';
import { defaultMnistDir, mnistDataset } from './datasets/catalogue.ts';
import type { DatasetSplit, NamedSplit, SplitName } from './datasets/dataset.ts';
import { findIdxFile, readIdxFile, usualIdxName } from './datasets/idx.ts';

export { IdxFormatError, parseIdxImages, parseIdxLabels } from './datasets/idx.ts';
export { defaultMnistDir } from './datasets/catalogue.ts';
export type { SplitName } from './datasets/dataset.ts';

/** One split of MNIST as raw bytes: `images` holds `count` row-major 28x28 uint8 images. */
export type MnistSplit = DatasetSplit;

/** Loads one split of MNIST (the `mnist` dataset), keeping only the first `limit` images when given. */
export function loadMnist(split: SplitName, options: { dir?: string; limit?: number } = {}): NamedSplit {
  return mnistDataset(options.dir).load(split, { limit: options.limit });
}

/** The sha256 of the four IDX files, under the names a run's provenance records them by. */
export function mnistFileHashes(dir = defaultMnistDir()): Record<string, string> {
  const hash = (split: SplitName, role: 'images' | 'labels') =>
    readIdxFile(findIdxFile(dir, split, role) ?? path.join(dir, usualIdxName(split, role))).sha256;
  return { trainImages: hash('train', 'images'), trainLabels: hash('train', 'labels'), testImages: hash('test', 'images'), testLabels: hash('test', 'labels') };
}

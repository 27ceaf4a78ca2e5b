import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { seededRandom, shuffledIndices } from '../../core/random.ts';
import { UnreadableImageError } from '../own-digits/decode.ts';
import { checkClassCount, DatasetError, IMAGE_PIXELS, SPLITS, type DatasetFile, type DatasetSplit, type SplitName } from './dataset.ts';
import type { DatasetSurvey } from './idx-dataset.ts';
import { sha256 } from './idx.ts';
import { pictureToImage } from './picture.ts';

const PICTURE = /\.(png|jpe?g)$/i;

/** A fixed order, the same on every machine: see orderOf. */
const ORDER_SEED = 26;

const isDirectory = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Sorted by code unit, as torchvision's ImageFolder sorts, so labels match its class_to_idx. */
const sorted = (names: string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The class folders of a split, or null when the split's folder is absent. */
function classFolders(dir: string, split: SplitName): string[] | null {
  const splitDir = path.join(dir, split);
  if (!isDirectory(splitDir)) return null;
  return sorted(readdirSync(splitDir).filter((name) => !name.startsWith('.') && isDirectory(path.join(splitDir, name))));
}

/** Whether `dir` looks like a picture folder (a train/ or test/ folder) rather than IDX files. */
export function isPictureFolder(dir: string): boolean {
  return SPLITS.some((split) => isDirectory(path.join(dir, split)));
}

/** The classes: train's and test's folders, which must be the same, from 2 to 100 of them. */
function classesOf(dir: string): string[] {
  const [train, test] = SPLITS.map((split) => classFolders(dir, split));
  if (!train || !test) {
    const [has, lacks] = train ? ['train', 'test'] : ['test', 'train'];
    throw new DatasetError(`${dir}: only the ${has} split is there; ${path.join(dir, lacks)}/<class>/ folders of pictures are missing`);
  }
  for (const [split, folders, other] of [['test', test, train], ['train', train, test]] as const) {
    const extra = folders.find((name) => !other.includes(name));
    if (extra !== undefined) {
      const otherSplit = split === 'test' ? 'train' : 'test';
      throw new DatasetError(`${path.join(dir, split, extra)}: class '${extra}' has no folder in ${otherSplit}/; both splits need the same classes`);
    }
  }
  checkClassCount(train.length, path.join(dir, 'train'));
  return train;
}

export interface DecodedFolder extends DatasetSurvey {
  splits: Record<SplitName, DatasetSplit>;
  /** Files in class folders that are not PNG or JPEG by name, left out. */
  ignored: number;
}

/**
 * A split's pictures in a fixed shuffled order rather than class by class: a validation split
 * taken from the end of the training set, or the first N images under a limit, then holds every
 * class in proportion.
 */
function orderOf(n: number): Uint32Array {
  return shuffledIndices(n, seededRandom(ORDER_SEED));
}

/**
 * Reads a picture folder in torchvision's ImageFolder layout (train/<class>/*.png|jpg and
 * test/<class>/*.png|jpg): every picture decoded and made a 28x28 image (pictureToImage), every
 * file hashed. Throws DatasetError naming the first file or folder that is wrong.
 */
export function decodePictureFolder(dir: string): DecodedFolder {
  const classNames = classesOf(dir);
  const files: DatasetFile[] = [];
  const splits = {} as Record<SplitName, DatasetSplit>;
  const classCounts = {} as Record<SplitName, number[]>;
  let ignored = 0;
  for (const split of SPLITS) {
    const pictures: { file: string; label: number }[] = [];
    classCounts[split] = classNames.map((name, label) => {
      const folder = path.join(dir, split, name);
      const entries = sorted(readdirSync(folder).filter((f) => !f.startsWith('.')));
      const found = entries.filter((f) => PICTURE.test(f));
      ignored += entries.length - found.length;
      if (found.length === 0) throw new DatasetError(`${folder}: class '${name}' has no pictures (.png, .jpg or .jpeg) in ${split}/`);
      for (const f of found) pictures.push({ file: path.join(split, name, f), label });
      return found.length;
    });
    const order = orderOf(pictures.length);
    const images = new Uint8Array(pictures.length * IMAGE_PIXELS);
    const labels = new Uint8Array(pictures.length);
    order.forEach((from, i) => {
      const { file, label } = pictures[from]!;
      const bytes = readPicture(path.join(dir, file));
      images.set(toImage(bytes, path.join(dir, file)), i * IMAGE_PIXELS);
      labels[i] = label;
      files.push({ path: file, sha256: sha256(bytes) });
    });
    splits[split] = {
      images,
      labels,
      count: pictures.length,
      rows: 28,
      cols: 28,
      imagesSha256: sha256(images),
      labelsSha256: sha256(labels),
    };
  }
  return { classNames, classCounts, files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), splits, ignored };
}

function readPicture(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new DatasetError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function toImage(bytes: Uint8Array, file: string): Uint8Array {
  try {
    return pictureToImage(bytes);
  } catch (err) {
    if (err instanceof UnreadableImageError) throw new DatasetError(`${file}: ${err.message}`);
    throw err;
  }
}

/** One picture of a picture folder as found on disk, and as the dataset holds it. */
export interface PictureSample {
  className: string;
  file: string;
  original: Buffer;
  /** 784 bytes: pictureToImage of the original. */
  image: Uint8Array;
}

/**
 * The first test picture of each of the first `classes` classes of the picture folder at `dir`,
 * before and after reading, for showing how a picture becomes an image. Cheap: one file per class.
 * Empty when the folder is no longer where it was registered.
 */
export function samplePictures(dir: string, classes = 8): PictureSample[] {
  const testDir = path.join(dir, 'test');
  let names: string[];
  try {
    names = sorted(readdirSync(testDir).filter((name) => !name.startsWith('.') && isDirectory(path.join(testDir, name))));
  } catch {
    return [];
  }
  return names.slice(0, classes).flatMap((className): PictureSample[] => {
    try {
      const folder = path.join(testDir, className);
      const file = sorted(readdirSync(folder).filter((f) => PICTURE.test(f)))[0];
      if (!file) return [];
      const original = readFileSync(path.join(folder, file));
      return [{ className, file, original, image: pictureToImage(original) }];
    } catch {
      return [];
    }
  });
}

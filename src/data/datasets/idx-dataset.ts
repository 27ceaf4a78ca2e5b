import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkClassCount,
  checkNoEmptyClass,
  classCounts,
  DatasetError,
  IMAGE_PIXELS,
  SPLITS,
  type Dataset,
  type DatasetFile,
  type NamedSplit,
  type SplitName,
} from './dataset.ts';
import { sha256, checkSameCount, findIdxFile, IdxFormatError, parseIdxImages28, parseIdxLabels, readIdxFile, usualIdxName, type IdxRole } from './idx.ts';

export interface IdxSource {
  name: string;
  /** How messages spell it, e.g. MNIST; the name when absent. */
  title?: string;
  dir: string;
  classNames: string[];
  builtIn: boolean;
  /** What to say when a file is missing, e.g. which package brings it. */
  missingAdvice?: string;
  /** The files as registered; a file whose sha256 differs now is refused rather than read. */
  files?: DatasetFile[];
}

function fileOf(source: IdxSource, split: SplitName, role: IdxRole): string {
  const found = findIdxFile(source.dir, split, role);
  if (found) return found;
  const usual = path.join(source.dir, usualIdxName(split, role));
  throw new IdxFormatError(`${source.title ?? source.name} file missing: ${usual} (plain or .gz)${source.missingAdvice ? ` (${source.missingAdvice})` : ''}`);
}

function readChecked(source: IdxSource, file: string) {
  const read = readIdxFile(file);
  const registered = source.files?.find((f) => path.join(source.dir, f.path) === file);
  if (source.files && registered?.sha256 !== read.sha256) {
    throw new DatasetError(
      `${file} has changed since dataset '${source.name}' was registered (sha256 ${read.sha256.slice(0, 12)}..., registered ${registered ? `${registered.sha256.slice(0, 12)}...` : 'under another name'}); register it again under a new name`,
    );
  }
  return read;
}

/** Reads one split of an IDX directory, checked, keeping the first `limit` images when given. */
export function loadIdxSplit(source: IdxSource, split: SplitName, options: { limit?: number } = {}): NamedSplit {
  const imagesFile = fileOf(source, split, 'images');
  const labelsFile = fileOf(source, split, 'labels');
  const imageBytes = readChecked(source, imagesFile);
  const labelBytes = readChecked(source, labelsFile);
  const parsed = parseIdxImages28(imageBytes.content, imagesFile);
  const labels = parseIdxLabels(labelBytes.content, labelsFile, source.classNames.length);
  checkSameCount(split, imagesFile, parsed.count, labelsFile, labels.length);
  const count = Math.min(parsed.count, options.limit ?? parsed.count);
  return {
    dataset: source.name,
    classNames: source.classNames,
    images: parsed.pixels.subarray(0, count * IMAGE_PIXELS),
    labels: labels.subarray(0, count),
    count,
    rows: 28,
    cols: 28,
    imagesSha256: imageBytes.sha256,
    labelsSha256: labelBytes.sha256,
  };
}

export function idxDataset(source: IdxSource): Dataset {
  return {
    name: source.name,
    kind: 'idx',
    builtIn: source.builtIn,
    path: source.dir,
    classNames: source.classNames,
    load: (split, options) => loadIdxSplit(source, split, options),
  };
}

/** What checking a whole dataset finds: enough to register it and to describe it. */
export interface DatasetSurvey {
  classNames: string[];
  classCounts: Record<SplitName, number[]>;
  files: DatasetFile[];
}

export const CLASSES_FILE = 'classes.txt';

/** classes.txt: one class name a line, in label order; blank lines at the end are ignored. */
function readClassNames(dir: string): string[] | null {
  const file = path.join(dir, CLASSES_FILE);
  if (!existsSync(file)) return null;
  const names = readFileSync(file, 'utf8').replace(/\s+$/, '').split(/\r?\n/).map((line) => line.trim());
  const blank = names.findIndex((n) => n === '');
  if (blank >= 0) throw new DatasetError(`${file}: line ${blank + 1} is blank; each line names one class`);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new DatasetError(`${file}: class '${names[twice]}' is named twice (lines ${names.indexOf(names[twice]!) + 1} and ${twice + 1})`);
  checkClassCount(names.length, file);
  return names;
}

/**
 * Checks an IDX directory the way registering needs: both splits present, counts matching, every
 * label naming a class (classes.txt's, or 0 to the largest label), no class without images.
 */
export function surveyIdxDir(dir: string): DatasetSurvey {
  const present = SPLITS.filter((split) => findIdxFile(dir, split, 'images') || findIdxFile(dir, split, 'labels'));
  if (present.length === 0) {
    throw new DatasetError(`${dir}: no IDX files (${usualIdxName('train', 'images')}, ${usualIdxName('test', 'labels')}, ... plain or .gz) and no train/ and test/ picture folders`);
  }
  const named = readClassNames(dir);
  // Without classes.txt any byte is a label until the largest one says how many classes there are.
  const source: IdxSource = { name: path.basename(dir), dir, classNames: named ?? new Array<string>(256).fill(''), builtIn: false };
  const files: DatasetFile[] = [];
  const labels = {} as Record<SplitName, Uint8Array>;
  for (const split of SPLITS) {
    if (!present.includes(split)) {
      throw new DatasetError(`${dir}: only the ${present[0]} split is there; ${usualIdxName(split, 'images')} and ${usualIdxName(split, 'labels')} (plain or .gz) are missing`);
    }
    const loaded = loadIdxSplit(source, split);
    labels[split] = loaded.labels;
    for (const role of ['images', 'labels'] as const) {
      const file = findIdxFile(dir, split, role)!;
      files.push({ path: path.relative(dir, file), sha256: role === 'images' ? loaded.imagesSha256 : loaded.labelsSha256 });
    }
  }
  const largest = Math.max(largestOf(labels.train), largestOf(labels.test));
  const classNames = named ?? Array.from({ length: largest + 1 }, (_, i) => String(i));
  if (!named) checkClassCount(classNames.length, `${dir} (labels 0 to ${largest}, no ${CLASSES_FILE})`);
  if (named) files.push({ path: CLASSES_FILE, sha256: sha256(readFileSync(path.join(dir, CLASSES_FILE))) });
  const counts = {} as Record<SplitName, number[]>;
  for (const split of SPLITS) {
    counts[split] = classCounts(labels[split], classNames.length);
    checkNoEmptyClass(counts[split], classNames, `${dir} (${split})`);
  }
  return { classNames, classCounts: counts, files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}

function largestOf(labels: Uint8Array): number {
  let largest = 0;
  for (const label of labels) if (label > largest) largest = label;
  return largest;
}

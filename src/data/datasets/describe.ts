import path from 'node:path';
import type { Db } from '../../../db/client.ts';
import { listDatasets, type RegisteredDataset } from '../../store/datasets.ts';
import { BUILT_IN_NAMES, DEFAULT_DATASET, findDataset } from './catalogue.ts';
import { classCounts, IMAGE_SIDE, SPLITS, type DatasetFile, type SplitName } from './dataset.ts';
import { findIdxFile } from './idx.ts';

/** What `digitlab datasets` says of a dataset; `problem` says why it cannot be read now (files absent or changed). */
export interface DatasetDescription {
  name: string;
  kind: 'idx' | 'images';
  builtIn: boolean;
  default: boolean;
  path: string;
  imageSize: { rows: number; cols: number };
  classes: string[];
  splits: Record<SplitName, { count: number; classCounts: number[] }> | null;
  files: DatasetFile[];
  registeredAt: string | null;
  problem: string | null;
}

function base(name: string, kind: 'idx' | 'images', builtIn: boolean, dir: string, classes: string[]) {
  return { name, kind, builtIn, default: name === DEFAULT_DATASET, path: dir, imageSize: { rows: IMAGE_SIDE, cols: IMAGE_SIDE }, classes };
}

/** A built-in dataset, read (and so checked) now: its files may be absent on this machine. */
function describeBuiltIn(name: string): DatasetDescription {
  const dataset = findDataset(null, name);
  const described = base(name, 'idx', true, dataset.path, dataset.classNames);
  try {
    const splits = {} as Record<SplitName, { count: number; classCounts: number[] }>;
    const files: DatasetFile[] = [];
    for (const split of SPLITS) {
      const loaded = dataset.load(split);
      splits[split] = { count: loaded.count, classCounts: classCounts(loaded.labels, dataset.classNames.length) };
      files.push({ path: path.basename(findIdxFile(dataset.path, split, 'images')!), sha256: loaded.imagesSha256 });
      files.push({ path: path.basename(findIdxFile(dataset.path, split, 'labels')!), sha256: loaded.labelsSha256 });
    }
    return { ...described, splits, files, registeredAt: null, problem: null };
  } catch (err) {
    return { ...described, splits: null, files: [], registeredAt: null, problem: (err as Error).message };
  }
}

/** A registered dataset as checked when it was added. */
export function describeRegistered(row: RegisteredDataset): DatasetDescription {
  return {
    ...base(row.name, row.kind, false, row.path, row.classNames),
    splits: {
      train: { count: row.classCounts.train.reduce((a, b) => a + b, 0), classCounts: row.classCounts.train },
      test: { count: row.classCounts.test.reduce((a, b) => a + b, 0), classCounts: row.classCounts.test },
    },
    files: row.files,
    registeredAt: row.createdAt.toISOString(),
    problem: null,
  };
}

/**
 * A registered IDX directory is read from its files on every load, so they are read (and their
 * sha256s compared) now; a picture folder was kept decoded in the store and needs its files no more.
 */
function checkedNow(db: Db, row: RegisteredDataset): DatasetDescription {
  const described = describeRegistered(row);
  if (row.kind !== 'idx') return described;
  try {
    const dataset = findDataset(db, row.name);
    for (const split of SPLITS) dataset.load(split);
    return described;
  } catch (err) {
    return { ...described, problem: (err as Error).message };
  }
}

/** Every dataset, built-in ones first. */
export function describeDatasets(db: Db | null): DatasetDescription[] {
  return [...BUILT_IN_NAMES.map(describeBuiltIn), ...(db ? listDatasets(db).map((row) => checkedNow(db, row)) : [])];
}

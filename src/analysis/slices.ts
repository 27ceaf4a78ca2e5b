import { DomainError } from '../core/errors.ts';
import type { MnistSplit, SplitName } from '../data/mnist.ts';
import { sevenShape } from './crossed-seven.ts';

/** A slice asked of a dataset it does not belong to: its detector reads MNIST's sevens, nothing else. */
export class SliceNotOfDatasetError extends DomainError {
  readonly kind = 'invalid';
}

/** The dataset the named slices are made for. */
export const SLICE_DATASET = 'mnist';

/** Throws unless `dataset` is MNIST, saying why: on another dataset label 7 is not a seven (Fashion-MNIST's 7 is a sneaker). */
export function requireSliceDataset(slice: string, dataset: string, runId?: number): void {
  if (dataset === SLICE_DATASET) return;
  const whose = runId === undefined ? `dataset ${dataset}` : `run ${runId}, which is on dataset ${dataset}`;
  throw new SliceNotOfDatasetError(
    `${slice} is MNIST's slice (sevens written with a bar through the stem); ${whose} has no such images, and its label 7 means something else. ` +
      'Automatic slice discovery (the run page) finds sub-groups on any dataset',
  );
}

/** Named sub-groups of a class, found from the image alone. */
export const SLICE_NAMES = ['crossed-seven'] as const;
export type SliceName = (typeof SLICE_NAMES)[number];

export interface Slice {
  slice: SliceName;
  split: SplitName;
  /** Images in the slice. */
  count: number;
  /** Images of the class the slice belongs to, so count / classCount is its prevalence. */
  classCount: number;
  /** Dataset indices of the slice's images, ascending. */
  indices: number[];
}

/** Partitions already made, by the split's pixels: the detector takes ~100 ms a split, and pages ask per request. */
const partitions = new WeakMap<Uint8Array, { count: number; partition: { crossed: number[]; plain: number[] } }>();

/** Indices of the sevens in `data`, split into crossed and plain by the detector (computed once per split; do not modify). */
export function partitionSevens(data: MnistSplit): { crossed: number[]; plain: number[] } {
  const kept = partitions.get(data.images);
  if (kept && kept.count === data.count) return kept.partition;
  const partition = detectSevens(data);
  partitions.set(data.images, { count: data.count, partition });
  return partition;
}

function detectSevens(data: MnistSplit): { crossed: number[]; plain: number[] } {
  const crossed: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < data.count; i++) {
    if (data.labels[i] !== 7) continue;
    (sevenShape(data.images, i).crossed ? crossed : plain).push(i);
  }
  return { crossed, plain };
}

export function crossedSevenSlice(data: MnistSplit, split: SplitName): Slice {
  const { crossed, plain } = partitionSevens(data);
  return { slice: 'crossed-seven', split, count: crossed.length, classCount: crossed.length + plain.length, indices: crossed };
}

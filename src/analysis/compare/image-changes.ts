/** Two runs' predictions on the same test images, beside the true labels. */
export interface PairedPredictions {
  labels: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
}

/** The images that entered or left one confusion-matrix cell between run A and run B. */
export interface CellMovement {
  trueLabel: number;
  predicted: number;
  /** Images in this cell under B but not under A. */
  into: number[];
  /** Images in this cell under A but not under B. */
  outOf: number[];
}

export interface ImageChanges {
  images: number;
  correctA: number;
  correctB: number;
  /** Wrong in A, right in B. */
  fixed: number[];
  /** Right in A, wrong in B. */
  broken: number[];
  /** B's test confusion minus A's, row = true label, column = predicted. */
  confusionDifference: number[][];
  /** Only the cells some image moved into or out of, row-major. */
  cells: CellMovement[];
}

/** Follows every test image from A's prediction to B's; indices are positions in the test set. `classes`: the dataset's class count. */
export function imageChanges({ labels, a, b }: PairedPredictions, classes = 10): ImageChanges {
  const CLASSES = classes;
  if (a.length !== labels.length || b.length !== labels.length) {
    throw new Error(`prediction counts differ: ${a.length} and ${b.length} for ${labels.length} labels`);
  }
  const cells = Array.from({ length: CLASSES * CLASSES }, (_, cell): CellMovement => ({
    trueLabel: Math.floor(cell / CLASSES),
    predicted: cell % CLASSES,
    into: [],
    outOf: [],
  }));
  const changes: ImageChanges = { images: labels.length, correctA: 0, correctB: 0, fixed: [], broken: [], confusionDifference: [], cells: [] };
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const rightA = a[i] === label;
    const rightB = b[i] === label;
    if (rightA) changes.correctA++;
    if (rightB) changes.correctB++;
    if (!rightA && rightB) changes.fixed.push(i);
    if (rightA && !rightB) changes.broken.push(i);
    if (a[i] !== b[i]) {
      cells[label * CLASSES + a[i]!]!.outOf.push(i);
      cells[label * CLASSES + b[i]!]!.into.push(i);
    }
  }
  changes.confusionDifference = Array.from({ length: CLASSES }, (_, row) =>
    Array.from({ length: CLASSES }, (_, col) => {
      const cell = cells[row * CLASSES + col]!;
      return cell.into.length - cell.outOf.length;
    }),
  );
  changes.cells = cells.filter((cell) => cell.into.length > 0 || cell.outOf.length > 0);
  return changes;
}

/** Per image: +1 where only B is right, -1 where only A is, 0 where they agree; what the bootstrap resamples. */
export function correctnessDifference(changes: ImageChanges): Int8Array {
  const perImage = new Int8Array(changes.images);
  for (const i of changes.fixed) perImage[i] = 1;
  for (const i of changes.broken) perImage[i] = -1;
  return perImage;
}

/**
 * What a run records, as the store keeps it. Training produces these values and imports the types
 * from here, so the store depends on nothing above it and any trainer (a local process, an HTTP
 * client, a later backend) writes the same shapes.
 */

/** The latest batch of an epoch in training, as progress bars and the live curve show it. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far, as Keras' progress bar shows them. */
  loss: number;
  accuracy: number;
  /** This batch's own loss and accuracy, for the live curve (the numbers the step returned; nothing extra is computed). */
  batchLoss: number;
  batchAccuracy: number;
  etaSeconds: number;
}

/** One point of the live curve: x in epochs (1.5 is half-way through epoch 2), values smoothed. */
export interface CurvePoint {
  x: number;
  loss: number;
  accuracy: number;
}

/** The progress a run records while it trains: the latest batch and the curve so far. */
export type LiveProgress = BatchProgress & { curve: CurvePoint[] };

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
  valConfusion: number[][] | null;
}

/**
 * A run's params as the store needs them: it keeps the whole object as JSON and reads only the
 * seed (a column of its own), whether the run is a label-audit fold (which trains here only) and
 * the worker count, the one param the training machine decides.
 */
export interface StoredParams {
  seed: number;
  /** The dataset's name; absent for MNIST, as every run before datasets were named. */
  dataset?: string;
  folds?: number | null;
  workers?: number;
}

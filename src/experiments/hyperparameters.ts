/** Everything that shapes a run's numbers; stored verbatim as the run's params. */
export interface Hyperparameters {
  epochs: number;
  batchSize: number;
  validationSplit: number;
  learningRate: number;
  seed: number;
  /** Use only the first N training images (null: all 60,000). */
  trainLimit: number | null;
  /** Use only the first N test images (null: all 10,000). */
  testLimit: number | null;
  /** Share of training sevens given a synthetic crossing bar; absent (older runs) means 0. */
  augmentCrossedSevens?: number;
  /** Worker threads that share each batch (wasm only); absent (older runs) means 1. */
  workers?: number;
  /** 'corrected': train on the labels as the label decisions correct them; absent means the original labels. */
  labels?: 'corrected';
  /** 'ambiguous': leave out the training images judged ambiguous; absent leaves none out. */
  exclude?: 'ambiguous';
  /**
   * A label-audit fold: train on the training images whose index modulo `folds` is not `fold`,
   * and predict those that are. Absent on ordinary runs.
   */
  fold?: number;
  folds?: number;
}

/** The reference experiment of DESIGN.md. */
export const REFERENCE_HYPERPARAMETERS: Hyperparameters = {
  epochs: 5,
  batchSize: 64,
  validationSplit: 0.2,
  learningRate: 0.001,
  seed: 42,
  trainLimit: null,
  testLimit: null,
};

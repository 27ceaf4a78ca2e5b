/**
 * Kernel name of a batch-norm layer's training step on x with channels last: inputs x, scale
 * (gamma) and offset (beta); outputs [y, batch mean, batch variance]. One kernel each way where
 * tfjs' moments + batchNorm run some twenty, among them a Tile of the whole activation in the
 * gradient (the reference CNN with batch norm: ~10x slower a step than without it). Declared here,
 * beside the layer that calls it, so the wasm kernel (in training) registers under the name the
 * layer asks for without the layer importing training.
 */
export const BATCH_NORM_TRAINING = 'DigitlabBatchNormTraining';

export interface BatchNormTrainingAttrs {
  varianceEpsilon: number;
}

/**
 * Kernel name of a dense layer's training step on rank-2 inputs: inputs x, kernel and bias;
 * output relu?(x . kernel + bias). One kernel and one gradient where tfjs, while gradients are
 * recorded, runs a matrix product, Add and Relu (with reshapes around them), each an entry on the
 * tape. Declared here, beside the layer that calls it, so the wasm kernel (in training) registers
 * under the name the layer asks for without the layer importing training.
 */
export const DENSE_TRAINING = 'DigitlabDenseTraining';

export interface DenseTrainingAttrs {
  relu: boolean;
}

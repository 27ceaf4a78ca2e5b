/**
 * Kernel name of a conv2d layer's training step with channels last and no dilation: inputs x,
 * filter and (if the layer has one) bias; output relu?(conv2d(x, filter) + bias?). One kernel and
 * one gradient where tfjs, while gradients are recorded, runs Conv2D, Add and Relu, each a pass
 * over the activation and an entry on the tape. Declared here, beside the layer that calls it, so
 * the wasm kernel (in training) registers under the name the layer asks for without the layer
 * importing training.
 */
export const CONV2D_TRAINING = 'DigitlabConv2DTraining';

export interface Conv2DTrainingAttrs {
  strides: [number, number];
  pad: 'valid' | 'same';
  relu: boolean;
}

import * as tf from '@tensorflow/tfjs';
import { CONV2D_TRAINING, type Conv2DTrainingAttrs } from '../../models/conv2d-kernel.ts';
import { computeInfo, convolveNative } from './conv2d.ts';
import { type Info, type WasmKernelArgs, wasmKernelConfig } from './heap.ts';
import { biasActivationGradient } from './relu-bias-grad.ts';

const convAttrs = ({ strides, pad }: Conv2DTrainingAttrs) => ({ strides, pad, dataFormat: 'NHWC' as const });

function conv2DTraining(args: WasmKernelArgs): Info {
  const { x, filter, bias } = args.inputs as Record<string, Info | undefined>;
  const attrs = args.attrs as unknown as Conv2DTrainingAttrs;
  const info = computeInfo(x!, filter!, { ...convAttrs(attrs), dilations: 1 });
  return convolveNative(args.backend, x!, filter!, info, { bias, relu: attrs.relu });
}

export const conv2DTrainingConfig = wasmKernelConfig(CONV2D_TRAINING, conv2DTraining);

/**
 * The gradient of CONV2D_TRAINING: relu's and the bias's (biasActivationGradient), then the
 * convolution's own, as tfjs' Conv2D gradient computes them.
 */
export const conv2DTrainingGradient: tf.GradConfig = {
  kernelName: CONV2D_TRAINING,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const training = attrs as unknown as Conv2DTrainingAttrs;
    const { dz, dbias } = biasActivationGradient(dy as tf.Tensor, y, training.relu);
    const conv = convAttrs(training);
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
      bias: dbias,
    };
  },
};

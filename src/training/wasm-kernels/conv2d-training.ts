import * as tf from '@tensorflow/tfjs';
import { CONV2D_TRAINING, type Conv2DTrainingAttrs } from '../../models/conv2d-kernel.ts';
import { computeInfo, convolveNative } from './conv2d.ts';
import { type Info, type WasmKernelArgs, addr, alloc, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

/** The wasm side of the conv2d layer's fused training step (models/conv2d-kernel.ts says what it computes) and of its gradient. */
const RELU_BIAS_GRAD = 'DigitlabReluBiasGrad';

const convAttrs = ({ strides, pad }: Conv2DTrainingAttrs) => ({ strides, pad, dataFormat: 'NHWC' as const });

function conv2DTraining(args: WasmKernelArgs): Info {
  const { x, filter, bias } = args.inputs as Record<string, Info | undefined>;
  const attrs = args.attrs as unknown as Conv2DTrainingAttrs;
  const info = computeInfo(x!, filter!, { ...convAttrs(attrs), dilations: 1 });
  return convolveNative(args.backend, x!, filter!, info, { bias, relu: attrs.relu });
}

/** Inputs dy and y (the relu's output); outputs [dy * step(y), its sums over every axis but the last]. */
function reluBiasGrad(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { dy, y } = args.inputs as Record<string, Info>;
  const channels = y!.shape[y!.shape.length - 1]!;
  const [dz, db, partial] = [alloc(backend, y!.shape), alloc(backend, [channels]), alloc(backend, [channels])];
  nativeKernels(backend).relu_bias_backward(
    addr(backend, dy!), addr(backend, y!), addr(backend, dz), addr(backend, db), addr(backend, partial),
    tf.util.sizeFromShape(y!.shape) / channels, channels,
  );
  release(backend, partial);
  return [dz, db];
}

type MultiOutputKernel = (args: WasmKernelArgs) => Info;
export const conv2DTrainingConfig = wasmKernelConfig(CONV2D_TRAINING, conv2DTraining);
export const reluBiasGradConfig = wasmKernelConfig(RELU_BIAS_GRAD, reluBiasGrad as unknown as MultiOutputKernel);

/**
 * The gradient of CONV2D_TRAINING: relu's mask and the bias gradient in one pass (from the output,
 * which is positive exactly where relu's input is), then the convolution's own gradients, as
 * tfjs' Conv2D gradient computes them.
 */
export const conv2DTrainingGradient: tf.GradConfig = {
  kernelName: CONV2D_TRAINING,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const training = attrs as unknown as Conv2DTrainingAttrs;
    const [dz, dbias] = training.relu
      ? (tf.engine().runKernel(RELU_BIAS_GRAD, { dy: dy as tf.Tensor, y }, {}) as tf.Tensor[])
      : [dy as tf.Tensor, undefined];
    const conv = convAttrs(training);
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dz!, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz! }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
      bias: () => dbias ?? tf.sum(dz!, [0, 1, 2]),
    };
  },
};

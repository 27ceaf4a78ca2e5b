import * as tf from '@tensorflow/tfjs';
import { fusedKernelApplies, stockLayerClass } from './stock-layer.ts';
import { CONV2D_TRAINING, type Conv2DTrainingAttrs } from './conv2d-kernel.ts';

/** tfjs' own layer class, which this one extends. */
const Stock = stockLayerClass<typeof tf.layers.conv2d>('Conv2D');

/** The stock layer's private state that the training path reads. */
interface LayerState {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
  activation: { getClassName(): string };
}

/**
 * tfjs' Conv2D, with its training step as one fused kernel where the backend has one (wasm, see
 * wasm-kernels/conv2d-training.ts): the same output and gradients, to the bit, from one kernel
 * each way instead of Conv2D, Add and Relu and their gradients. Inference (which tfjs already
 * fuses), other backends and what the kernel does not cover (channels first, dilation, other
 * activations) are the stock layer's. Registered under the stock class name, so saved models load
 * as this class too and serialise as plain Keras Conv2D.
 */
export class Conv2D extends Stock {
  static override className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as LayerState;
    const activation = state.activation.getClassName();
    const fused =
      fusedKernelApplies(kwargs, x, CONV2D_TRAINING) &&
      x.rank === 4 &&
      state.dataFormat === 'channelsLast' &&
      state.dilationRate.every((d) => d === 1) &&
      (state.padding === 'valid' || state.padding === 'same') &&
      (activation === 'relu' || activation === 'linear');
    if (!fused) return super.call(inputs, kwargs);
    const attrs: Conv2DTrainingAttrs = { strides: state.strides, pad: state.padding as 'valid' | 'same', relu: activation === 'relu' };
    const filterAndBias = { filter: state.kernel.read(), ...(state.bias ? { bias: state.bias.read() } : {}) };
    return tf.engine().runKernel(CONV2D_TRAINING, { x, ...filterAndBias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
}

tf.serialization.registerClass(Conv2D);

import * as tf from '@tensorflow/tfjs';
import { fusedKernelApplies, stockLayerClass } from './stock-layer.ts';
import { DENSE_TRAINING, type DenseTrainingAttrs } from './dense-kernel.ts';

/** tfjs' own layer class, which this one extends. */
const Stock = stockLayerClass<typeof tf.layers.dense>('Dense');

/** The stock layer's private state that the training path reads. */
interface LayerState {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor };
}

/**
 * tfjs' Dense, with its training step's product, bias and relu as one fused kernel where the
 * backend has one (wasm, see wasm-kernels/dense-training.ts): the same output and gradients, to
 * the bit. Another activation (the softmax of a classifier's last layer) is applied after the
 * fused product and bias, as the stock layer applies it. Inference, other backends, inputs of
 * another rank and layers without a bias are the stock layer's. Registered under the stock class
 * name, so saved models load as this class too and serialise as plain Keras Dense.
 */
export class Dense extends Stock {
  static override className = 'Dense';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as LayerState;
    const fused = fusedKernelApplies(kwargs, x, DENSE_TRAINING) && x.rank === 2 && state.bias !== null;
    if (!fused) return super.call(inputs, kwargs);
    const activation = state.activation.getClassName();
    const attrs: DenseTrainingAttrs = { relu: activation === 'relu' };
    return tf.tidy(() => {
      const operands = { x, kernel: state.kernel.read(), bias: state.bias!.read() };
      const y = tf.engine().runKernel(DENSE_TRAINING, operands, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      return attrs.relu || activation === 'linear' ? y : state.activation.apply(y);
    });
  }
}

tf.serialization.registerClass(Dense);

import * as tf from '@tensorflow/tfjs';
import { DENSE_TRAINING, type DenseTrainingAttrs } from './dense-kernel.ts';

type LayerArgs = Parameters<typeof tf.layers.dense>[0];

/** tfjs' own layer class, as the bundle registered it (the package exports only its factory). */
const Stock = tf.serialization.SerializationMap.getMap().classNameMap.Dense![0] as unknown as {
  new (args: LayerArgs): ReturnType<typeof tf.layers.dense>;
  className: string;
  fromConfig: typeof tf.layers.Layer.fromConfig;
};

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
    const fused =
      kwargs.training === true &&
      x.rank === 2 &&
      x.dtype === 'float32' &&
      state.bias !== null &&
      tf.getKernel(DENSE_TRAINING, tf.getBackend()) !== undefined;
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

import * as tf from '@tensorflow/tfjs';
import { fusedKernelApplies, stockLayerClass } from './stock-layer.ts';
import { BATCH_NORM_TRAINING, type BatchNormTrainingAttrs } from './batch-norm-kernel.ts';

/** tfjs' own layer class, which this one extends. */
const Stock = stockLayerClass<typeof tf.layers.batchNormalization>('BatchNormalization');

/** The stock layer's private state that the training path reads. */
interface LayerState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/**
 * tfjs' BatchNormalization, with its training step as one fused kernel each way where the backend
 * has one (wasm, see wasm-kernels/batch-norm-training.ts): the same batch statistics, output,
 * gradients and moving-average updates, to float32 rounding. Inference, other backends and
 * what the kernel does not cover (channels not last; no centre or no scale, which the stock
 * layer cannot train either: it reads beta and gamma regardless) are the stock layer's.
 * Registered under the stock class name, so saved models load as this class too and serialise as
 * plain Keras BatchNormalization.
 */
export class BatchNormalization extends Stock {
  static override className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as LayerState;
    const fused = fusedKernelApplies(kwargs, x, BATCH_NORM_TRAINING) && (state.axis === -1 || state.axis === x.rank - 1) && state.center && state.scale;
    if (!fused) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const attrs: BatchNormTrainingAttrs = { varianceEpsilon: state.epsilon };
      const [y, mean, variance] = tf.engine().runKernel(
        BATCH_NORM_TRAINING,
        { x, scale: state.gamma.read(), offset: state.beta.read() },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
      // The stock layer's moving averages: moving -= (moving - batch) * (1 - momentum).
      for (const [moving, batch] of [[state.movingMean, mean!], [state.movingVariance, variance!]] as const) {
        tf.tidy(() => {
          const value = moving.read();
          moving.write(tf.sub(value, tf.mul(tf.sub(value, batch), 1 - state.momentum)));
        });
      }
      return y!;
    });
  }
}

tf.serialization.registerClass(BatchNormalization);

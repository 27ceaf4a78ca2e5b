import * as tf from '@tensorflow/tfjs';

/**
 * tfjs' own layer class registered under `className`, typed by the factory that makes it (the
 * package exports only the factories): what the fused layers extend, keeping the stock class name
 * so saved models load as them and serialise as plain Keras layers.
 */
export function stockLayerClass<Factory extends (args: never) => tf.layers.Layer>(className: string) {
  return tf.serialization.SerializationMap.getMap().classNameMap[className]![0] as unknown as {
    new (args?: Parameters<Factory>[0]): ReturnType<Factory>;
    className: string;
    fromConfig: typeof tf.layers.Layer.fromConfig;
  };
}

/** Whether a training call on `x` can take the fused `kernel`: training, float32, and the backend has it. */
export const fusedKernelApplies = (kwargs: { training?: boolean }, x: tf.Tensor, kernel: string): boolean =>
  kwargs.training === true && x.dtype === 'float32' && tf.getKernel(kernel, tf.getBackend()) !== undefined;

import * as tf from '@tensorflow/tfjs';

/** The architecture knobs of the reference CNN; defaults reproduce DESIGN.md's network exactly. */
export interface ModelSpec {
  conv1Filters: number;
  conv2Filters: number;
  denseUnits: number;
  kernelSize: number;
}

export const REFERENCE_MODEL: ModelSpec = {
  conv1Filters: 32,
  conv2Filters: 64,
  denseUnits: 64,
  kernelSize: 3,
};

/** Name of the dense layer whose activations are the model's embedding of an image. */
const EMBEDDING_LAYER = 'embedding';

/** The embedding layer's output, to build a model that also (or only) returns embeddings. */
export function embeddingOutput(model: tf.LayersModel): tf.SymbolicTensor {
  return model.getLayer(EMBEDDING_LAYER).output as tf.SymbolicTensor;
}

/**
 * Builds the Keras-style Sequential CNN. Every initialiser gets its own seed derived from `seed`,
 * so two models built with the same seed start from identical weights (Keras' glorot_uniform
 * kernels, zero biases).
 */
export function buildModel(spec: ModelSpec = REFERENCE_MODEL, seed?: number): tf.Sequential {
  let layerIndex = 0;
  const kernelInitializer = () =>
    tf.initializers.glorotUniform(seed === undefined ? {} : { seed: seed * 101 + layerIndex++ });
  const model = tf.sequential({ name: 'digitlab_cnn' });
  model.add(
    tf.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: spec.conv1Filters,
      kernelSize: spec.kernelSize,
      activation: 'relu',
      kernelInitializer: kernelInitializer(),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(
    tf.layers.conv2d({
      filters: spec.conv2Filters,
      kernelSize: spec.kernelSize,
      activation: 'relu',
      kernelInitializer: kernelInitializer(),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: spec.denseUnits,
      activation: 'relu',
      kernelInitializer: kernelInitializer(),
      name: EMBEDDING_LAYER,
    }),
  );
  model.add(
    tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: kernelInitializer() }),
  );
  return model;
}

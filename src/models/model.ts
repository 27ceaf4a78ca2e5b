import * as tf from '@tensorflow/tfjs';
import { BatchNormalization } from './batch-normalization.ts';
import { Conv2D } from './conv2d.ts';
import { Dense } from './dense.ts';
import type { KernelInitializer, LayerSpec, ModelSpec } from './model-spec.ts';
import { presetSpec } from './model-presets.ts';
import { SeededDropout } from './seeded-dropout.ts';

/**
 * The embedding of an image, for maps, neighbours and slice discovery: the input of the model's
 * last dense layer, whatever the architecture (the reference CNN's 64 dense units).
 */
export function embeddingOutput(model: tf.LayersModel): tf.SymbolicTensor {
  const dense = model.layers.filter((layer) => layer.getClassName() === 'Dense');
  const last = dense[dense.length - 1];
  if (last === undefined) throw new Error(`model ${model.name} has no dense layer to take an embedding from`);
  return last.input as tf.SymbolicTensor;
}

/** A stream number for one dropout layer of one replica, so no two layers or replicas share masks. */
const dropoutSeed = (seed: number, layer: number, replica: number) =>
  (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2f) + layer * 7919 + replica * 104729) >>> 0;

/**
 * Builds a checked spec (see checkModelSpec) as a tfjs Sequential model on 28x28x1 inputs.
 * Every kernel initialiser gets its own seed derived from `seed`, in layer order, so two models
 * built with the same seed start from identical weights (Keras' glorot_uniform kernels unless the
 * layer names another, zero biases; batch norm at gamma 1, beta 0). `replica` tells
 * data-parallel copies' dropout apart.
 */
export function buildModel(spec: ModelSpec = presetSpec('reference'), seed?: number, replica = 0): tf.Sequential {
  let kernelIndex = 0;
  const kernelInitializer = (name: KernelInitializer = 'glorotUniform') =>
    tf.initializers[name](seed === undefined ? {} : { seed: seed * 101 + kernelIndex++ });
  const model = tf.sequential({ name: 'digitlab_cnn' });
  spec.layers.forEach((layer, index) => {
    const input = index === 0 ? { inputShape: [28, 28, 1] } : {};
    model.add(buildLayer(layer, input, kernelInitializer, () => dropoutSeed(seed ?? Math.floor(Math.random() * 2 ** 31), index, replica)));
  });
  return model;
}

function buildLayer(
  layer: LayerSpec,
  input: { inputShape?: number[] },
  kernelInitializer: (name?: KernelInitializer) => ReturnType<typeof tf.initializers.glorotUniform>,
  dropoutSeed: () => number,
): tf.layers.Layer {
  switch (layer.type) {
    case 'conv2d':
      return new Conv2D({
        ...input,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        ...(layer.strides ? { strides: layer.strides } : {}),
        ...(layer.padding ? { padding: layer.padding } : {}),
        ...(layer.activation ? { activation: layer.activation } : {}),
        ...(layer.useBias === false ? { useBias: false } : {}),
        kernelInitializer: kernelInitializer(layer.kernelInitializer),
      });
    case 'maxPooling2d':
    case 'averagePooling2d': {
      const args = {
        ...input,
        poolSize: layer.poolSize,
        ...(layer.strides ? { strides: layer.strides } : {}),
        ...(layer.padding ? { padding: layer.padding } : {}),
      };
      return layer.type === 'maxPooling2d' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
    }
    case 'batchNormalization':
      return new BatchNormalization({
        ...input,
        ...(layer.momentum !== undefined ? { momentum: layer.momentum } : {}),
        ...(layer.epsilon !== undefined ? { epsilon: layer.epsilon } : {}),
      });
    case 'dropout':
      return new SeededDropout({ ...input, rate: layer.rate, seed: dropoutSeed() });
    case 'flatten':
      return tf.layers.flatten(input);
    case 'globalAveragePooling2d':
      return tf.layers.globalAveragePooling2d(input);
    case 'dense':
      return new Dense({
        ...input,
        units: layer.units,
        ...(layer.activation ? { activation: layer.activation } : {}),
        ...(layer.useBias === false ? { useBias: false } : {}),
        kernelInitializer: kernelInitializer(layer.kernelInitializer),
      });
  }
}

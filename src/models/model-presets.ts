import type { LayerSpec, ModelSpec } from './model-spec.ts';

/**
 * The named architectures `--model NAME` accepts, all in this one file. Each has a PyTorch twin,
 * built from its spec by bench/torch_model.py (src/models/pytorch-twin.ts) for `bench`.
 * Kernels are glorot-uniform, biases zero, batch norm starts at gamma 1, beta 0.
 */
const SOFTMAX: LayerSpec = { type: 'dense', units: 10, activation: 'softmax' };

export const MODEL_PRESETS = {
  reference: {
    description: 'the reference Keras-style CNN: two conv+pool blocks and a 64-unit dense layer',
    spec: {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
        SOFTMAX,
      ],
    },
  },
  mlp: {
    description: 'a baseline without convolutions: two hidden dense layers on the 784 pixels',
    spec: {
      layers: [
        { type: 'flatten' },
        { type: 'dense', units: 256, activation: 'relu' },
        { type: 'dense', units: 128, activation: 'relu' },
        SOFTMAX,
      ],
    },
  },
  'reference-dropout': {
    description: 'the reference CNN with dropout after each block and before the softmax (Keras mnist_cnn style)',
    spec: {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'dropout', rate: 0.25 },
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'dropout', rate: 0.25 },
        { type: 'flatten' },
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'dropout', rate: 0.5 },
        SOFTMAX,
      ],
    },
  },
  'reference-wide': {
    description: 'the reference CNN with twice the filters and dense units',
    spec: {
      layers: [
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 128, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 128, activation: 'relu' },
        SOFTMAX,
      ],
    },
  },
  'reference-bn': {
    description: 'the reference CNN with batch norm after each convolution, a 128-unit dense layer and dropout around it',
    spec: {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.25 },
        { type: 'dense', units: 128, activation: 'relu' },
        { type: 'dropout', rate: 0.25 },
        SOFTMAX,
      ],
    },
  },
  'batchnorm-cnn': {
    description: 'conv + batch norm blocks in the style of An et al. 2020, global average pooling, no dense bottleneck',
    spec: {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'conv2d', filters: 48, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'conv2d', filters: 96, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'globalAveragePooling2d' },
        { type: 'dropout', rate: 0.2 },
        SOFTMAX,
      ],
    },
  },
  lenet5: {
    description: 'LeNet-5-like: 5x5 convolutions with average pooling and 120-84 dense layers (relu, not tanh)',
    spec: {
      layers: [
        { type: 'conv2d', filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' },
        { type: 'averagePooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 16, kernelSize: 5, activation: 'relu' },
        { type: 'averagePooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 120, activation: 'relu' },
        { type: 'dense', units: 84, activation: 'relu' },
        SOFTMAX,
      ],
    },
  },
} as const satisfies Record<string, { description: string; spec: { layers: readonly LayerSpec[] } }>;

export type PresetName = keyof typeof MODEL_PRESETS;
export const PRESET_NAMES = Object.keys(MODEL_PRESETS) as PresetName[];
export const DEFAULT_MODEL: PresetName = 'reference';

/**
 * A preset's spec as a fresh mutable copy, so no caller can alter the table, its softmax as wide
 * as the dataset has classes (the table's ten are MNIST's and Fashion-MNIST's).
 */
export function presetSpec(name: PresetName, classes = 10): ModelSpec {
  const spec = structuredClone(MODEL_PRESETS[name].spec) as unknown as ModelSpec;
  return classes === 10 ? spec : withOutputs(spec, classes);
}

/** A spec with its last layer (the softmax) made `classes` wide. */
export function withOutputs(spec: ModelSpec, classes: number): ModelSpec {
  const last = spec.layers[spec.layers.length - 1];
  if (last?.type !== 'dense') return spec;
  return { layers: [...spec.layers.slice(0, -1), { ...last, units: classes }] };
}

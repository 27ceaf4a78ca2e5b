import * as tf from '@tensorflow/tfjs';
import { adamUpdateConfig } from './adam-update.ts';
import { avgPoolGradConfig } from './avg-pool-grad.ts';
import { makeBatchMatMulConfig } from './batch-mat-mul.ts';
import { batchNormTrainingConfig, batchNormTrainingGradConfig, batchNormTrainingGradient } from './batch-norm-training.ts';
import { makeAddConfig } from './bias-add.ts';
import { makeSumConfig } from './bias-grad-sum.ts';
import { makeCastConfig } from './cast.ts';
import { makeConv2DConfig } from './conv2d.ts';
import { conv2DTrainingConfig, conv2DTrainingGradient } from './conv2d-training.ts';
import { crossEntropyGradConfig, crossEntropyWithCountsConfig, crossEntropyWithCountsGradient } from './cross-entropy.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { denseTrainingConfig, denseTrainingGradient } from './dense-training.ts';
import { makeFusedConv2DConfig } from './fused-conv2d.ts';
import { identityConfig } from './identity.ts';
import { maxPoolGradConfig } from './max-pool-grad.ts';
import { reluBiasGradConfig } from './relu-bias-grad.ts';
import { reluGradConfig, reluGradient } from './relu-grad.ts';
import { makeSliceConfig } from './slice.ts';

/** Kernels that replace the wasm package's outright, or that it lacks. */
const REPLACEMENTS: tf.KernelConfig[] = [
  adamUpdateConfig,
  avgPoolGradConfig,
  batchNormTrainingConfig,
  batchNormTrainingGradConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  conv2DTrainingConfig,
  crossEntropyGradConfig,
  crossEntropyWithCountsConfig,
  denseTrainingConfig,
  identityConfig,
  maxPoolGradConfig,
  reluBiasGradConfig,
  reluGradConfig,
];

/** Kernels that take the cases training hits and hand every other case to the package's own. */
const WRAPPERS: Record<string, (original: tf.KernelConfig) => tf.KernelConfig> = {
  Add: makeAddConfig,
  BatchMatMul: makeBatchMatMulConfig,
  Cast: makeCastConfig,
  Conv2D: makeConv2DConfig,
  FusedConv2D: makeFusedConv2DConfig,
  Slice: makeSliceConfig,
  Sum: makeSumConfig,
};

const ours = new Set<tf.KernelFunc>();

function install(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel(config);
  ours.add(config.kernelFunc);
}

/** Registers the training kernels that the wasm backend lacks or runs slowly. Idempotent. */
export function registerWasmTrainingKernels(): void {
  for (const config of REPLACEMENTS) {
    if (tf.getKernel(config.kernelName, 'wasm')?.kernelFunc !== config.kernelFunc) install(config);
  }
  for (const [kernelName, wrap] of Object.entries(WRAPPERS)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original === undefined) throw new Error(`the wasm backend has no ${kernelName} kernel to build on`);
    if (!ours.has(original.kernelFunc)) install(wrap(original));
  }
  // Gradients are not per backend; these kernels exist on wasm only, as do their callers.
  tf.registerGradient(batchNormTrainingGradient);
  tf.registerGradient(conv2DTrainingGradient);
  tf.registerGradient(crossEntropyWithCountsGradient);
  tf.registerGradient(denseTrainingGradient);
  // Relu's falls back to tfjs' own off wasm.
  tf.registerGradient(reluGradient);
}

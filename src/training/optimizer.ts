import * as tf from '@tensorflow/tfjs';
import { FusedAdam } from './wasm-kernels/fused-adam.ts';

/**
 * Adam for the active backend: on wasm digitlab's fused kernel (bit-identical updates to
 * tf.train.adam, ~1.7 ms less CPU per reference step); tfjs's own elsewhere.
 */
export function adamOptimizer(learningRate: number): tf.Optimizer {
  return tf.getBackend() === 'wasm' ? new FusedAdam(learningRate) : tf.train.adam(learningRate);
}

import * as tf from '@tensorflow/tfjs';
import { CROSS_ENTROPY_WITH_COUNTS } from './wasm-kernels/cross-entropy.ts';

/**
 * The loss a training step differentiates: the batch's mean categorical cross-entropy. Also
 * counts correct rows and non-finite outputs (see crossEntropyWithCounts).
 * Gradient closures dispose all they made but the loss, so the counts are kept: dispose them.
 */
export function lossWithCounts(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  labelSmoothing = 0,
): { loss: tf.Scalar; counts: tf.Tensor1D } {
  const predictions = model.apply(x, { training: true }) as tf.Tensor;
  // Label smoothing as Keras': the targets move this share of their mass evenly onto all classes (ten for MNIST).
  const targets = labelSmoothing > 0 ? tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / y.shape[1]!) : y;
  return crossEntropyWithCounts(predictions, targets);
}

/**
 * Mean categorical cross-entropy of predictions [rows][classes] against targets, with the rows
 * whose largest prediction is at their largest target (smoothing at most halves a target, so
 * that stays its label) and the non-finite predictions, counted: the loss clips probabilities,
 * which on some backends turns NaN into a finite loss, and a diverged model must not pass as a
 * merely bad one. Where the backend has it (wasm), one kernel, and one more for the gradient.
 * The counts are kept: dispose them.
 */
export function crossEntropyWithCounts(predictions: tf.Tensor, targets: tf.Tensor): { loss: tf.Scalar; counts: tf.Tensor1D } {
  const fits = predictions.rank === 2 && predictions.dtype === 'float32' && targets.dtype === 'float32';
  if (fits && tf.getKernel(CROSS_ENTROPY_WITH_COUNTS, tf.getBackend()) !== undefined) {
    const [loss, counts] = tf.engine().runKernel(CROSS_ENTROPY_WITH_COUNTS, { p: predictions, t: targets }, {}) as tf.Tensor[];
    return { loss: loss as tf.Scalar, counts: tf.keep(counts as tf.Tensor1D) };
  }
  const counts = tf.keep(
    tf.stack([
      tf.equal(tf.argMax(predictions, 1), tf.argMax(targets, 1)).sum(),
      tf.logicalNot(tf.isFinite(predictions)).sum(),
    ]).cast('float32') as tf.Tensor1D,
  );
  return { loss: tf.metrics.categoricalCrossentropy(targets, predictions).mean() as tf.Scalar, counts };
}

/**
 * One whole optimizer step on this thread, with minimize(): the loss, correct rows and non-finite
 * outputs of the batch, from before the update. No gradient leaves the engine.
 */
export function minimizeStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
  labelSmoothing: number,
): { loss: number; correct: number; nonFiniteOutputs: number } {
  let counts: tf.Tensor1D | undefined;
  const stats = tf.tidy(() => {
    const loss = optimizer.minimize(() => {
      const step = lossWithCounts(model, x, y, labelSmoothing);
      counts = step.counts;
      return step.loss;
    }, true)!;
    return tf.concat([loss.reshape([1]), counts!]);
  });
  counts!.dispose();
  const [loss, correct, nonFiniteOutputs] = stats.dataSync();
  stats.dispose();
  return { loss: loss!, correct: correct!, nonFiniteOutputs: nonFiniteOutputs! };
}

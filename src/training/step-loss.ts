import * as tf from '@tensorflow/tfjs';

/**
 * The loss a training step differentiates: the batch's mean categorical cross-entropy. Also
 * counts correct rows and non-finite outputs, because the loss clips probabilities, which on
 * some backends turns NaN into a finite loss: a diverged model must not pass as a merely bad one.
 * Gradient closures dispose all they made but the loss, so the counts are kept: dispose them.
 */
export function lossWithCounts(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  labelSmoothing = 0,
): { loss: tf.Scalar; counts: tf.Tensor1D } {
  const predictions = model.apply(x, { training: true }) as tf.Tensor;
  const counts = tf.keep(
    tf.stack([
      tf.equal(tf.argMax(predictions, 1), tf.argMax(y, 1)).sum(),
      tf.logicalNot(tf.isFinite(predictions)).sum(),
    ]).cast('float32') as tf.Tensor1D,
  );
  // Label smoothing as Keras': the targets move this share of their mass evenly onto all classes (ten for MNIST).
  const targets = labelSmoothing > 0 ? tf.add(tf.mul(y, 1 - labelSmoothing), labelSmoothing / y.shape[1]!) : y;
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

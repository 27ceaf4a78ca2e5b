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

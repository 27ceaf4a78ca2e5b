import * as tf from '@tensorflow/tfjs';

/** Points along the path from the black baseline to the image: about 32 intervals, as one batch. */
export const IG_STEPS = 32;

export interface IntegratedGradients {
  /** 784 values: each pixel's share of p(class | image) - p(class | black). */
  map: Float32Array;
  probability: number;
  baselineProbability: number;
  /** sum(map) - (probability - baselineProbability): how far the path integral is from exact. */
  completenessError: number;
}

/**
 * Integrated gradients (Sundararajan et al. 2017) of the class probability, from an all-black
 * baseline, which on MNIST is the blank page. The path integral is the trapezoid rule over
 * `steps` intervals: the steps + 1 scaled images go through the model as one batch, and because
 * images in a batch do not interact, the gradient of the weighted sum of their probabilities
 * holds each one's own gradient in its row.
 */
export function integratedGradients(model: tf.LayersModel, image: Float32Array, target: number, steps = IG_STEPS): IntegratedGradients {
  const weights = Float32Array.from({ length: steps + 1 }, (_, k) => (k === 0 || k === steps ? 0.5 : 1) / steps);
  const { gradient, probabilities } = tf.tidy(() => {
    const x = tf.tensor4d(image, [1, 28, 28, 1]);
    const alphas = tf.linspace(0, 1, steps + 1).reshape([steps + 1, 1, 1, 1]);
    const path = alphas.mul(x) as tf.Tensor4D;
    const classes = model.outputs[0]!.shape[1]!;
    const classColumn = tf.oneHot([target], classes).reshape([1, classes]);
    const weighted = tf.tensor2d(weights, [steps + 1, 1]);
    const probabilityOf = (batch: tf.Tensor) => (model.apply(batch, { training: false }) as tf.Tensor).mul(classColumn).sum(1, true);
    const grads = tf.grad((batch: tf.Tensor) => probabilityOf(batch).mul(weighted).sum())(path);
    return { gradient: grads.sum(0).mul(x.squeeze([0])), probabilities: probabilityOf(tf.concat([tf.zerosLike(x), x])) };
  });
  const map = gradient.dataSync() as Float32Array;
  const [baselineProbability, probability] = probabilities.dataSync();
  tf.dispose([gradient, probabilities]);
  const sum = map.reduce((a, b) => a + b, 0);
  return { map, probability: probability!, baselineProbability: baselineProbability!, completenessError: sum - (probability! - baselineProbability!) };
}

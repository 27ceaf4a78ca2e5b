import * as tf from '@tensorflow/tfjs';

/**
 * A model as the analyses that need only its outputs see it (occlusion, calibration, robustness):
 * images in, class probabilities out. `pixels` holds `count` images of 784 values, NHWC (28x28x1),
 * scaled to [0,1]; the answer holds 10 probabilities per image. Any engine can provide one: a tfjs
 * model of digitlab's own runs, or an imported model on another runtime (which need not have
 * gradients, so integrated gradients take the tfjs model itself).
 */
export type ProbabilityFn = (pixels: Float32Array, count: number) => Promise<Float32Array>;

const PIXELS = 28 * 28;
/** Images per forward pass: large enough to amortise each call, small enough for modest memory. */
const BATCH = 1000;

/** A tfjs layers model as a ProbabilityFn, in inference mode and batches; the caller keeps and disposes the model. */
export function tfjsProbabilityFn(model: tf.LayersModel): ProbabilityFn {
  return async (pixels, count) => {
    const out = new Float32Array(count * 10);
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(start + BATCH, count);
      const scores = tf.tidy(() => model.predict(tf.tensor4d(pixels.subarray(start * PIXELS, end * PIXELS), [end - start, 28, 28, 1])) as tf.Tensor);
      out.set(await scores.data(), start * 10);
      scores.dispose();
    }
    return out;
  };
}

import * as tf from '@tensorflow/tfjs';
import { embeddingOutput } from './model.ts';

/**
 * A model as the analyses that need only its outputs see it (occlusion, calibration, robustness,
 * own digits): images in, class probabilities out. `pixels` holds `count` images of 784 values,
 * NHWC (28x28x1), scaled to [0,1]; the answer holds one probability per class per image (10 for MNIST). Any engine can
 * provide one: a tfjs model of digitlab's own runs, or an imported model on another runtime.
 */
export type ProbabilityFn = (pixels: Float32Array, count: number) => Promise<Float32Array>;

/**
 * A model's outputs for `rows` images (784 scaled pixels each), in inference mode: the
 * probabilities, or the embedding layer's activations and the probabilities from the same pass.
 * On this thread (modelPredictor), split across a training run's worker threads, or an imported
 * model's runtime. Evaluation batches its calls; a ProbabilityFn is one batched over it.
 */
export type Predictor = (pixels: Float32Array, rows: number, withEmbeddings: boolean) => Promise<Float32Array[]>;

/** Runs `model` on this thread. */
export function modelPredictor(model: tf.LayersModel): Predictor {
  let twoHeaded: tf.LayersModel | undefined;
  return async (pixels, rows, withEmbeddings) => {
    // Built on first need only: a model without a dense layer has no embedding, yet still predicts.
    const predicting = withEmbeddings ? (twoHeaded ??= tf.model({ inputs: model.inputs, outputs: [embeddingOutput(model), model.outputs[0]!] })) : model;
    const batch = tf.tidy(() => [predicting.predict(tf.tensor4d(pixels, [rows, 28, 28, 1]))].flat());
    const outputs = batch.map((tensor) => tensor.dataSync() as Float32Array);
    tf.dispose(batch);
    return outputs;
  };
}

const PIXELS = 28 * 28;
/** Images per forward pass: large enough to amortise each call, small enough for modest memory. */
const BATCH = 1000;

/** The probabilities of a Predictor, asked in batches. */
export function batchedProbabilities(predict: Predictor): ProbabilityFn {
  return async (pixels, count) => {
    let out = new Float32Array(count * 10);
    for (let start = 0; start < count; start += BATCH) {
      const end = Math.min(start + BATCH, count);
      const [probabilities] = await predict(pixels.subarray(start * PIXELS, end * PIXELS), end - start, false);
      // As wide as the model has classes (ten for MNIST): the first batch says.
      const classes = probabilities!.length / (end - start);
      if (start === 0 && classes !== 10) out = new Float32Array(count * classes);
      out.set(probabilities!, start * classes);
    }
    return out;
  };
}

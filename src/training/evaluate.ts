import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../data/batches.ts';
import { scaledPixels } from '../data/batches.ts';
import { throwIfCancelled } from './cancellation.ts';
import { PROBABILITY_EPSILON } from './degenerate-model.ts';
import { modelPredictor, type Predictor } from '../models/probability-fn.ts';

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** counts[true][predicted] */
  confusion: number[][];
  predicted: Uint8Array;
  /** One per class per image. */
  probabilities: Float32Array;
}

function emptyConfusion(classes: number): number[][] {
  return Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
}

/**
 * Images per prediction call. On this thread a call blocks the event loop, so signals wait for it:
 * the cpu engine needs about 30 ms an image, so it gets small batches.
 */
function predictBatchSize(): number {
  return tf.getBackend() === 'cpu' ? 32 : 1000;
}

/**
 * Every output for every image, in batches, yielding to the event loop between them and stopping
 * with TrainingCancelledError once `signal` aborts: one array per output, `widths[k]` per image.
 */
async function predictAll(predict: Predictor, data: LabelledImages, withEmbeddings: boolean, signal?: AbortSignal): Promise<Float32Array[]> {
  const outputs: Float32Array[] = [];
  const batchSize = predictBatchSize();
  for (let start = 0; start < data.count; start += batchSize) {
    throwIfCancelled(signal);
    const end = Math.min(start + batchSize, data.count);
    const batch = await predict(scaledPixels(data, start, end), end - start, withEmbeddings);
    batch.forEach((values, k) => {
      outputs[k] ??= new Float32Array((data.count * values.length) / (end - start));
      outputs[k]!.set(values, (start * values.length) / (end - start));
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return outputs;
}

/** Runs the model over a set of images in inference mode and scores it. */
export async function evaluate(model: tf.LayersModel | Predictor, data: LabelledImages, signal?: AbortSignal): Promise<Evaluation> {
  const [probabilities] = await predictAll(predictorOf(model), data, false, signal);
  return score(probabilities ?? new Float32Array(0), data.labels);
}

export type TestEvaluation = Evaluation & { embeddings: Float32Array; embeddingDimensions: number };

/** `evaluate`, plus each image's activations of the embedding layer, from the same forward pass. */
export async function evaluateWithEmbeddings(
  model: tf.LayersModel | Predictor,
  data: LabelledImages,
  signal?: AbortSignal,
): Promise<TestEvaluation> {
  const [embeddings, probabilities] = await predictAll(predictorOf(model), data, true, signal);
  return {
    ...score(probabilities!, data.labels),
    embeddings: embeddings!,
    embeddingDimensions: embeddings!.length / data.count,
  };
}

function predictorOf(model: tf.LayersModel | Predictor): Predictor {
  return typeof model === 'function' ? model : modelPredictor(model);
}

/**
 * Loss, accuracy and confusion of given probabilities against true labels; the classes are as
 * many as each image has probabilities (10 when there are no images to tell).
 */
export function score(probabilities: Float32Array, labels: Uint8Array, classes = labels.length > 0 ? probabilities.length / labels.length : 10): Evaluation {
  const predicted = new Uint8Array(labels.length);
  const confusion = emptyConfusion(classes);
  let lossSum = 0;
  let correct = 0;
  labels.forEach((label, i) => {
    const row = probabilities.subarray(i * classes, i * classes + classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
    predicted[i] = best;
    confusion[label]![best]!++;
    if (best === label) correct++;
    lossSum -= Math.log(Math.min(Math.max(row[label]!, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON));
  });
  const n = labels.length;
  return { loss: lossSum / n, accuracy: correct / n, confusion, predicted, probabilities };
}

import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from './batches.ts';
import { imageBatch } from './batches.ts';
import { PROBABILITY_EPSILON } from './degenerate-model.ts';
import { embeddingOutput } from './model.ts';

const PREDICT_BATCH = 1000;

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** counts[true][predicted] */
  confusion: number[][];
  predicted: Uint8Array;
  /** 10 per image. */
  probabilities: Float32Array;
}

function emptyConfusion(): number[][] {
  return Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
}

/**
 * Every output of `model` for every image, in inference mode and batches: one array per output,
 * `widths[k]` values per image.
 */
function predictAll(model: tf.LayersModel, data: LabelledImages, widths: number[]): Float32Array[] {
  const outputs = widths.map((width) => new Float32Array(data.count * width));
  for (let start = 0; start < data.count; start += PREDICT_BATCH) {
    const end = Math.min(start + PREDICT_BATCH, data.count);
    const batch = tf.tidy(() => [model.predict(imageBatch(data, start, end))].flat());
    batch.forEach((tensor, k) => outputs[k]!.set(tensor.dataSync() as Float32Array, start * widths[k]!));
    tf.dispose(batch);
  }
  return outputs;
}

/** Runs the model over a set of images in inference mode and scores it. */
export function evaluate(model: tf.LayersModel, data: LabelledImages): Evaluation {
  const [probabilities] = predictAll(model, data, [10]);
  return score(probabilities!, data.labels);
}

export type TestEvaluation = Evaluation & { embeddings: Float32Array; embeddingDimensions: number };

/** `evaluate`, plus each image's activations of the embedding layer, from the same forward pass. */
export function evaluateWithEmbeddings(model: tf.LayersModel, data: LabelledImages): TestEvaluation {
  const embedding = embeddingOutput(model);
  const dimensions = embedding.shape[1]!;
  const twoHeaded = tf.model({ inputs: model.inputs, outputs: [embedding, model.outputs[0]!] });
  const [embeddings, probabilities] = predictAll(twoHeaded, data, [dimensions, 10]);
  return { ...score(probabilities!, data.labels), embeddings: embeddings!, embeddingDimensions: dimensions };
}

/** Loss, accuracy and confusion of given probabilities against true labels. */
export function score(probabilities: Float32Array, labels: Uint8Array): Evaluation {
  const predicted = new Uint8Array(labels.length);
  const confusion = emptyConfusion();
  let lossSum = 0;
  let correct = 0;
  labels.forEach((label, i) => {
    const row = probabilities.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let c = 1; c < 10; c++) if (row[c]! > row[best]!) best = c;
    predicted[i] = best;
    confusion[label]![best]!++;
    if (best === label) correct++;
    lossSum -= Math.log(Math.min(Math.max(row[label]!, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON));
  });
  const n = labels.length;
  return { loss: lossSum / n, accuracy: correct / n, confusion, predicted, probabilities };
}

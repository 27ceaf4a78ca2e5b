import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from './batches.ts';
import { imageBatch } from './batches.ts';
import { EMBEDDING_LAYER } from './model.ts';

/** Keras clips probabilities by this epsilon before the log in categorical cross-entropy. */
const EPSILON = 1e-7;
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

/** Runs the model over a set of images in inference mode and scores it. */
export function evaluate(model: tf.LayersModel, data: LabelledImages): Evaluation {
  const probabilities = new Float32Array(data.count * 10);
  for (let start = 0; start < data.count; start += PREDICT_BATCH) {
    const end = Math.min(start + PREDICT_BATCH, data.count);
    const scores = tf.tidy(() => model.predict(imageBatch(data, start, end)) as tf.Tensor);
    probabilities.set(scores.dataSync() as Float32Array, start * 10);
    scores.dispose();
  }
  return score(probabilities, data.labels);
}

export type TestEvaluation = Evaluation & { embeddings: Float32Array; embeddingDimensions: number };

/** `evaluate`, plus each image's activations of the embedding layer, from the same forward pass. */
export function evaluateWithEmbeddings(
  model: tf.LayersModel,
  data: LabelledImages,
): TestEvaluation {
  const embeddingOutput = model.getLayer(EMBEDDING_LAYER).output as tf.SymbolicTensor;
  const dimensions = embeddingOutput.shape[1]!;
  const twoHeaded = tf.model({ inputs: model.inputs, outputs: [embeddingOutput, model.outputs[0]!] });
  const embeddings = new Float32Array(data.count * dimensions);
  const probabilities = new Float32Array(data.count * 10);
  for (let start = 0; start < data.count; start += PREDICT_BATCH) {
    const end = Math.min(start + PREDICT_BATCH, data.count);
    const [embedded, scores] = tf.tidy(() => twoHeaded.predict(imageBatch(data, start, end)) as tf.Tensor[]);
    embeddings.set(embedded!.dataSync() as Float32Array, start * dimensions);
    probabilities.set(scores!.dataSync() as Float32Array, start * 10);
    tf.dispose([embedded!, scores!]);
  }
  return { ...score(probabilities, data.labels), embeddings, embeddingDimensions: dimensions };
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
    lossSum -= Math.log(Math.min(Math.max(row[label]!, EPSILON), 1 - EPSILON));
  });
  const n = labels.length;
  return { loss: lossSum / n, accuracy: correct / n, confusion, predicted, probabilities };
}

import * as tf from '@tensorflow/tfjs';
import { layersModelToOnnx } from '../../src/models/onnx/onnx-export.ts';
import { writeIdxSet } from './datasets.ts';

export const FOUR_CLASSES = ['low', 'dim', 'mid', 'bright'];
export const FOUR_TEST_LABELS = [3, 2, 1, 0, 0, 1, 2, 3];
/** Where each class's test images sit in brightness: writeIdxSet fills image i of label l with (40 l + i) / 255. */
const CENTRES = [0.01, 0.17, 0.33, 0.49];

/** writeIdxSet's 4-class IDX folder in `dir`, with the test labels and class names brightnessOnnx reads by hand. */
export const fourClassIdxSet = (dir: string) => writeIdxSet(dir, { test: FOUR_TEST_LABELS, classes: FOUR_CLASSES });

/**
 * ONNX bytes whose `units` outputs are scores of each image's mean brightness v on [0,1] pixels:
 * output k is 2 c_k v - c_k², which is largest for the centre c_k nearest v (it is -(v - c_k)² + v²).
 * With 4 units it reads every test image of fourClassIdxSet right, by hand. Needs a tfjs backend.
 */
export function brightnessOnnx(units: number): Uint8Array {
  const centres = Array.from({ length: units }, (_, k) => CENTRES[k] ?? 1 + k);
  const scale = 100;
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units, activation: 'softmax' })] });
  const kernel = Array.from({ length: 784 }, () => centres.map((c) => (scale * 2 * c) / 784));
  model.layers[1]!.setWeights([tf.tensor2d(kernel), tf.tensor1d(centres.map((c) => -scale * c * c))]);
  const bytes = layersModelToOnnx(model, 'test');
  model.dispose();
  return bytes;
}

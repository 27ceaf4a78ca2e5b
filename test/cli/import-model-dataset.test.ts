import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { layersModelToOnnx } from '../../src/models/onnx/onnx-export.ts';
import { selectBackend } from '../../src/training/backend.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { labelledImage, tempDir, writeIdxSet } from '../helpers/datasets.ts';

const CLASSES = ['low', 'dim', 'mid', 'bright'];
const TEST_LABELS = [3, 2, 1, 0, 0, 1, 2, 3];
/** Where each class's test images sit in brightness: writeIdxSet fills image i of label l with (40 l + i) / 255. */
const CENTRES = [0.01, 0.17, 0.33, 0.49];

/**
 * An ONNX file whose `units` outputs are scores of each image's mean brightness v: output k is
 * 2 c_k v - c_k², which is largest for the centre c_k nearest v (it is -(v - c_k)² + v²). On the
 * first `centres.length` outputs it reads every test image of the dataset right, by hand.
 */
function brightnessOnnx(units: number): string {
  const centres = Array.from({ length: units }, (_, k) => CENTRES[k] ?? 1 + k);
  const scale = 100;
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units, activation: 'softmax' })] });
  const kernel = Array.from({ length: 784 }, () => centres.map((c) => (scale * 2 * c) / 784));
  model.layers[1]!.setWeights([tf.tensor2d(kernel), tf.tensor1d(centres.map((c) => -scale * c * c))]);
  const file = path.join(tempDir('import-model-dataset'), `brightness-${units}.onnx`);
  writeFileSync(file, layersModelToOnnx(model, 'test'));
  model.dispose();
  return file;
}

let db: string;
beforeAll(async () => {
  await selectBackend('wasm');
  // The oracle above holds only if the fixture's images are as it says.
  TEST_LABELS.forEach((label, i) => expect(labelledImage(label, i)[0]).toBe(40 * label + i));
  db = path.join(tempDir('import-model-dataset'), 'runs.sqlite');
  const dir = writeIdxSet(tempDir('idx-four'), { test: TEST_LABELS, classes: CLASSES });
  expect((await runCliCaptured(['datasets', 'add', 'four', dir, '--db', db])).code).toBe(0);
});

describe('importing a model file on a dataset other than 10-class MNIST', () => {
  it('imports a 4-output ONNX model on a 4-class dataset, scored on its test set under its class names', async () => {
    const imported = await runCliCaptured(['import', brightnessOnnx(4), '--dataset', 'four', '--input-scale', 'unit', '--json', '--db', db]);
    expect(imported.stderr).not.toMatch(/digitlab import:/);
    expect(imported.code).toBe(0);
    const run = imported.lastJson();
    expect(run.dataset).toBe('four');
    expect(run.testAccuracy).toBe(1);
    expect(run.testConfusion).toEqual([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]]);
    const csv = await runCliCaptured(['predictions', String(run.runId), '--format', 'csv', '--db', db]);
    const [header, first] = csv.stdout.trim().split('\n');
    expect(header).toBe('index,label,predicted,p0,p1,p2,p3');
    expect(first).toMatch(/^0,3,3,/);
  });

  it('refuses a model whose outputs are not one per class, naming both counts, and stores nothing', async () => {
    const before = (await runCliCaptured(['runs', '--json', '--db', db])).lastJson().runs.length;
    const refused = await runCliCaptured(['import', brightnessOnnx(10), '--dataset', 'four', '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/10 outputs per image, but dataset 'four' has 4 classes/);
    expect((await runCliCaptured(['runs', '--json', '--db', db])).lastJson().runs).toHaveLength(before);
  });
});

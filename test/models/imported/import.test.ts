import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/training/backend.ts';
import { executeRun } from '../../../src/training/experiment.ts';
import { ImportError } from '../../../src/models/imported/classifier.ts';
import { importRun } from '../../../src/training/import-run.ts';
import { openRunModel } from '../../../src/models/run-model.ts';
import { loadImportedModel } from '../../../src/store/imported-runs.ts';
import { parseNpy, runPredictionFile, writeNpy } from '../../../src/models/imported/prediction-file.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { layersModelToOnnx } from '../../../src/models/onnx/onnx-export.ts';
import { deserializeModel, exportModel } from '../../../src/models/saved-model.ts';
import { listRuns, loadSavedModel, loadTestEmbeddings, loadTestPredictions, testConfusion } from '../../../src/store/store.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';
import { storeOn } from '../../../src/store/open-store.ts';

const AUTO = { layout: 'auto', scale: 'auto', output: 'auto' } as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-import-'));
const db = memoryDb();
let trainedId: number;
let onnxFile: string;

beforeAll(async () => {
  await selectBackend('wasm');
  const run = runningRun(db, { testLimit: 500, trainLimit: 2000 });
  trainedId = (await executeRun(storeOn(db), run.id, { backend: 'wasm' })).id;
  const model = await deserializeModel(loadSavedModel(db, trainedId)!);
  onnxFile = path.join(dir, 'trained.onnx');
  writeFileSync(onnxFile, layersModelToOnnx(model, 'test'));
  model.dispose();
}, 120_000);

describe('ONNX export of a trained run', () => {
  it('reproduces its stored test predictions in onnxruntime, to 1e-5 in probability', async () => {
    const stored = loadTestPredictions(db, trainedId)!;
    const test = loadMnist('test', { limit: 500 });
    const session = await ort.InferenceSession.create(onnxFile);
    const pixels = Float32Array.from(test.images, (v) => v / 255);
    const out = await session.run({ pixels: new ort.Tensor('float32', pixels, [500, 28, 28, 1]) });
    const probabilities = out.probabilities!.data as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < probabilities.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probabilities[i]! - stored.probabilities[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    for (let i = 0; i < 500; i++) {
      const row = Array.from(probabilities.subarray(i * 10, i * 10 + 10));
      expect(row.indexOf(Math.max(...row))).toBe(stored.predicted[i]);
    }
  });

  it('is every layer type digitlab trains: conv strides and padding, pools, batch norm, dropout, global pooling', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.batchNormalization());
    model.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'elu' }));
    model.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
    model.add(tf.layers.dropout({ rate: 0.5 }));
    model.add(tf.layers.globalAveragePooling2d({}));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    const norm = model.layers[1]!;
    norm.setWeights(norm.getWeights().map((w, k) => tf.randomUniform(w.shape, 0.5, 1.5, 'float32', k)));
    const session = await ort.InferenceSession.create(layersModelToOnnx(model, 'test'));
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 7);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const got = (await session.run({ pixels: new ort.Tensor('float32', x.dataSync() as Float32Array, [4, 28, 28, 1]) })).probabilities!.data as Float32Array;
    got.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-5));
  });
});

describe('import', () => {
  it('records an exported ONNX model as a run with identical predictions and its penultimate layer', async () => {
    const run = await importRun(storeOn(db).runs, { file: onnxFile, conventions: AUTO, testLimit: 500 });
    expect(run.source).toBe('imported');
    expect(loadTestPredictions(db, run.id)!.predicted).toEqual(loadTestPredictions(db, trainedId)!.predicted);
    expect(testConfusion(db, run.id)).toEqual(testConfusion(db, trainedId));
    const imported = loadImportedModel(db, run.id)!;
    expect(imported).toMatchObject({ framework: 'onnx', inputLayout: 'nhwc', inputScale: 'unit', output: 'probabilities' });
    expect(loadTestEmbeddings(db, run.id)!.dimensions).toBe(64);
    const model = await openRunModel(db, run);
    const test = loadMnist('test', { limit: 3 });
    const probabilities = await model.probabilities(Float32Array.from(test.images, (v) => v / 255), 3);
    expect(Array.from(probabilities)).toEqual(Array.from(loadTestPredictions(db, run.id)!.probabilities.subarray(0, 30)));
    model.dispose();
  });


  it('reads a PyTorch export (NCHW, fixed batch of 1, logits) as PyTorch does', async () => {
    // Made by bench/torch_export_onnx.py --model small; the .npy is PyTorch's softmax on the first 500 test images.
    const fixtures = path.join(import.meta.dirname, '../../fixtures/imported');
    const run = await importRun(storeOn(db).runs, { file: path.join(fixtures, 'torch-small-cnn.onnx'), conventions: AUTO, testLimit: 500 });
    expect(loadImportedModel(db, run.id)).toMatchObject({ inputShape: [-1, 1, 28, 28], inputLayout: 'nchw', inputScale: 'unit', output: 'logits' });
    const torch = parseNpy(readFileSync(path.join(fixtures, 'torch-small-cnn-predictions.npy')));
    const stored = loadTestPredictions(db, run.id)!;
    let maxDiff = 0;
    torch.values.forEach((value, i) => (maxDiff = Math.max(maxDiff, Math.abs(value - stored.probabilities[i]!))));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(loadTestEmbeddings(db, run.id)!.dimensions).toBe(32);
  });

  it('records a tfjs model directory', async () => {
    const tfjsDir = path.join(dir, 'tfjs');
    exportModel(loadSavedModel(db, trainedId)!, tfjsDir);
    const run = await importRun(storeOn(db).runs, { file: tfjsDir, conventions: AUTO, testLimit: 500 });
    expect(loadImportedModel(db, run.id)).toMatchObject({ framework: 'tfjs-layers', embedding: expect.any(String) });
    expect(loadTestPredictions(db, run.id)!.predicted).toEqual(loadTestPredictions(db, trainedId)!.predicted);
  });

  it('records a run’s exported .npy and .csv predictions with its confusion matrix exactly', async () => {
    for (const format of ['npy', 'csv'] as const) {
      const file = path.join(dir, `preds.${format}`);
      writeFileSync(file, runPredictionFile(db, trainedId, format)!);
      const run = await importRun(storeOn(db).runs, { file, conventions: AUTO });
      expect(testConfusion(db, run.id)).toEqual(testConfusion(db, trainedId));
      expect(run.testAccuracy).toBe(listRuns(db).find((r) => r.id === trainedId)!.testAccuracy);
      expect(loadTestEmbeddings(db, run.id)).toBeNull();
    }
  });

  describe('refuses bad input with a clear message and stores nothing', () => {
    const refuse = async (name: string, contents: Buffer | string, message: RegExp) => {
      const file = path.join(dir, name);
      writeFileSync(file, contents);
      const before = listRuns(db).length;
      await expect(importRun(storeOn(db).runs, { file, conventions: AUTO })).rejects.toThrow(ImportError);
      await expect(importRun(storeOn(db).runs, { file, conventions: AUTO })).rejects.toThrow(message);
      expect(listRuns(db).length).toBe(before);
    };
    const probabilities = () => runPredictionFile(db, trainedId, 'npy')!;

    it('a file that is not a model', () => refuse('junk.onnx', Buffer.from('this is not protobuf at all \xff\xff\xff'), /not an ONNX model/));
    it('a model whose input is not 28x28x1', async () => {
      const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 10 })] });
      await refuse('wide.onnx', Buffer.from(layersModelToOnnx(model, 'test')), /does not take 28x28x1 images/);
    });
    it("a model without MNIST's 10 classes", async () => {
      const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 5 })] });
      await refuse('five.onnx', Buffer.from(layersModelToOnnx(model, 'test')), /5 outputs per image, but dataset 'mnist' has 10 classes/);
    });
    it('a prediction file of the wrong shape', () =>
      refuse('wrong.npy', Buffer.from(writeNpy(new Float32Array(450)).toString('latin1').replace('(45, 10)', '(50, 9)'), 'latin1'), /expected \(n, 10\)/));
    it('a prediction file with NaN', () => {
      const bytes = probabilities();
      bytes.writeFloatLE(NaN, bytes.length - 4 * 25);
      return refuse('nan.npy', bytes, /NaN at image/);
    });
    it('a prediction file with a negative probability', () => {
      const bytes = probabilities();
      bytes.writeFloatLE(-0.2, bytes.length - 4 * 25);
      return refuse('negative.npy', bytes, /negative probability/);
    });
    it('a CSV of the wrong width', () => refuse('wide.csv', '1,2,3\n4,5,6\n', /has 3 columns/));
  });

  it('exits 2 from the CLI on a bad file, and prints the run on a good one', async () => {
    const bad = await runCliCaptured(['import', path.join(dir, 'junk.onnx'), '--db', ':memory:']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an ONNX model/);
    const good = await runCliCaptured(['import', path.join(dir, 'preds.npy'), '--db', ':memory:', '--json']);
    expect(good.code).toBe(0);
    expect(good.lastJson()).toMatchObject({ status: 'completed', source: 'imported', epochs: [], imported: { framework: 'predictions' } });
  });
});

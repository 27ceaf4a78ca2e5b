import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelJobs } from '../../src/analysis/model-jobs/model-jobs.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { parseNpy } from '../../src/models/imported/prediction-file.ts';
import { openRunModel, RunHasNoModelError, type RunModel } from '../../src/models/run-model.ts';
import { loadTestPredictions, type Run } from '../../src/store/store.ts';
import { selectBackend } from '../../src/training/backend.ts';
import { executeRun } from '../../src/training/experiment.ts';
import { importRun } from '../../src/training/import-run.ts';
import { memoryDb, runningRun } from '../helpers/db.ts';
import { storeOn } from '../../src/store/open-store.ts';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/imported');
const AUTO = { layout: 'auto', scale: 'auto', output: 'auto' } as const;
const TEST_COUNT = 500;
const db = memoryDb();
const test = loadMnist('test', { limit: TEST_COUNT });
const pixels = Float32Array.from(test.images, (v) => v / 255);
let trained: Run;
let onnx: Run;
let predictionFile: Run;

beforeAll(async () => {
  trained = await executeRun(storeOn(db), runningRun(db, { trainLimit: 1000, testLimit: TEST_COUNT }).id, { backend: 'wasm' });
  expect(trained.status, trained.error ?? '').toBe('completed');
  await selectBackend('wasm');
  onnx = await importRun(storeOn(db).runs, { file: path.join(FIXTURES, 'torch-small-cnn.onnx'), conventions: AUTO, testLimit: TEST_COUNT });
  predictionFile = await importRun(storeOn(db).runs, { file: path.join(FIXTURES, 'torch-small-cnn-predictions.npy'), conventions: AUTO });
}, 120_000);

const maxDifference = (a: Float32Array, b: Float32Array) => a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);

async function probabilitiesOf(run: Run): Promise<{ model: RunModel; probabilities: Float32Array }> {
  const model = await openRunModel(db, run);
  const probabilities = await model.probabilities(pixels, TEST_COUNT);
  model.dispose();
  return { model, probabilities };
}

describe('the one loader of a run model', () => {
  it('gives a run trained here the probabilities training recorded for it, with its tfjs layers for gradients', async () => {
    const { model, probabilities } = await probabilitiesOf(trained);
    expect(maxDifference(probabilities, loadTestPredictions(db, trained.id)!.probabilities)).toBeLessThan(1e-5);
    expect(model.layers).not.toBeNull();
    expect(model.noGradients).toBeNull();
  });

  it("gives an imported ONNX run PyTorch's own probabilities through the same call, and says it has no gradients", async () => {
    // The .npy is PyTorch's softmax on the first 500 test images (bench/torch_export_onnx.py --model small).
    const torch = parseNpy(readFileSync(path.join(FIXTURES, 'torch-small-cnn-predictions.npy'))).values;
    const { model, probabilities } = await probabilitiesOf(onnx);
    expect(maxDifference(probabilities, torch)).toBeLessThan(1e-5);
    expect(model.layers).toBeNull();
    expect(model.noGradients).toBe('torch-small-cnn.onnx is an imported onnx model, which digitlab runs without gradients');
  });

  it('raises RunHasNoModelError for a run imported from a prediction file, and for a run not trained yet', async () => {
    const refused = openRunModel(db, predictionFile);
    await expect(refused).rejects.toThrow(RunHasNoModelError);
    await expect(refused).rejects.toThrow(`run ${predictionFile.id} (torch-small-cnn-predictions.npy) was imported from the prediction file torch-small-cnn-predictions.npy, which holds no model`);
    await expect(openRunModel(db, runningRun(db))).rejects.toThrow(/is running and has no stored model/);
  });

  it('crosses to a worker thread for an imported model too: robustness of the ONNX run', async () => {
    const jobs = new ModelJobs(db);
    const { curves, count } = await jobs.robustness(onnx, ['noise']);
    expect(count).toBe(TEST_COUNT);
    // At strength 0 the curve is the model's plain test accuracy, as import scored it.
    expect(curves[0]!.points.find((point) => point.strength === 0)!.accuracy).toBeCloseTo(onnx.testAccuracy!, 6);
    // The training images are embedded through tfjs layers, which an imported model has not.
    expect(jobs.trainEmbeddingsStatus(onnx)).toMatchObject({ state: 'unavailable' });
  }, 120_000);
});

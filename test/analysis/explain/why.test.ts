import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { attribute } from '../../../src/analysis/explain/explain.ts';
import { nearestTrainImages } from '../../../src/analysis/explain/train-neighbours.ts';
import { ModelJobs } from '../../../src/analysis/model-jobs/model-jobs.ts';
import { measureRobustness } from '../../../src/analysis/robustness/robustness.ts';
import { transformNamed } from '../../../src/analysis/robustness/transforms.ts';
import { selectBackend } from '../../../src/training/backend.ts';
import { executeRun } from '../../../src/training/experiment.ts';
import { importRun } from '../../../src/training/import-run.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { openRunModel, type RunModel } from '../../../src/models/run-model.ts';
import { createRun, type Run } from '../../../src/store/store.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { smallRunParams } from '../../helpers/db.ts';
import { recordCompletedRun } from '../../helpers/recorded-runs.ts';
import { storeOn } from '../../../src/store/open-store.ts';

/** One small model for the file (3,000 images, 1 epoch), on a disk store the CLI opens too. */
const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-why-')), 'runs.sqlite');
const TEST_COUNT = 300;
let db: ReturnType<typeof openDb>;
let run: Run;
let model: RunModel;
const test = loadMnist('test', { limit: TEST_COUNT });
const pixelsOf = (index: number) => Float32Array.from(test.images.subarray(index * 784, index * 784 + 784), (v) => v / 255);

beforeAll(async () => {
  db = openDb(dbFile);
  const created = createRun(db, { name: 'why', params: smallRunParams({ trainLimit: 3000, testLimit: TEST_COUNT, seed: 5 }), status: 'running' });
  run = await executeRun(storeOn(db), created.id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
  await selectBackend('wasm');
  model = await openRunModel(db, run);
});

describe('integrated gradients', () => {
  // Stated tolerance: with the trapezoid rule over 32 steps the map's sum is within 0.02 of
  // p(class | image) - p(class | black) (seen here: under 0.005).
  it('sums to the probability difference from the black baseline within 0.02', async () => {
    for (const index of [0, 1, 2, 3, 4, 5]) {
      const result = await attribute(model, pixelsOf(index), test.labels[index]!, 'ig');
      expect(Math.abs(result.completenessError!)).toBeLessThan(0.02);
      // Not trivially: the probability really moves from the blank page to the digit.
      expect(result.map.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.3);
    }
  });
});

describe('occlusion', () => {
  it('is zero where a patch covers only blank page and positive on the strokes of a confident digit', async () => {
    const image = pixelsOf(0);
    const { map } = await attribute(model, image, test.labels[0]!, 'occlusion');
    expect(map[0]).toBe(0);
    const onInk = map.filter((_, i) => image[i]! > 0.5);
    expect(onInk.reduce((a, b) => a + b, 0) / onInk.length).toBeGreaterThan(0);
  });
});

describe('robustness', () => {
  it('scores the untouched test set at strength 0 and falls as rotation grows', async () => {
    const curves = await measureRobustness(model.probabilities, test, [transformNamed('rotate')!, transformNamed('thickness')!]);
    const [rotate, thickness] = curves;
    expect(rotate!.points[0]).toEqual({ strength: 0, accuracy: run.testAccuracy });
    expect(rotate!.points.at(-1)!.accuracy).toBeLessThan(rotate!.points[0]!.accuracy - 0.1);
    expect(thickness!.points.find((p) => p.strength === 0)!.accuracy).toBe(run.testAccuracy);
  });

  it('runs in a worker from the CLI, stores the curves and prints the contract', async () => {
    const result = await runCliCaptured(['robustness', String(run.id), '--transforms', 'shift,noise', '--json', '--db', dbFile]);
    expect(result.code, result.stderr).toBe(0);
    const json = result.lastJson();
    expect(json.run).toBe(run.id);
    expect(json.transforms.map((t: { name: string }) => t.name)).toEqual(['shift', 'noise']);
    expect(json.transforms[0].points.map((p: { strength: number }) => p.strength)).toEqual([0, 1, 2, 3, 4]);
    expect(json.transforms[0].points[0].accuracy).toBe(run.testAccuracy);
    expect(new ModelJobs(db).robustnessStatus(run).state).toBe('ready');
  });
});

describe('nearest training images', () => {
  it('are mostly of its own label for a confident, correct test image, and fast after the first', async () => {
    const jobs = new ModelJobs(db);
    const probabilities = await model.probabilities(pixelsOf(0), 1);
    expect(probabilities.indexOf(Math.max(...probabilities))).toBe(test.labels[0]);
    expect(Math.max(...probabilities)).toBeGreaterThan(0.9);
    const neighbours = await nearestTrainImages(jobs, run, model, pixelsOf(0), 10);
    const trainLabels = loadMnist('train').labels;
    expect(neighbours).toHaveLength(10);
    expect(neighbours.filter((n) => trainLabels[n.index] === test.labels[0]).length).toBeGreaterThanOrEqual(8);
    // Stored: a new set of jobs (a new server) finds them without a worker.
    expect(new ModelJobs(db).trainEmbeddingsStatus(run).state).toBe('ready');
  });
});

describe('explain on the command line', () => {
  it('prints the 28x28 map, class and method, with neighbours, and writes a PNG', async () => {
    const png = path.join(path.dirname(dbFile), 'map.png');
    const result = await runCliCaptured(['explain', String(run.id), '--image', '3', '--method', 'occlusion', '--png', png, '--json', '--db', dbFile]);
    expect(result.code, result.stderr).toBe(0);
    const json = result.lastJson();
    expect(json).toMatchObject({ run: run.id, image: 3, split: 'test', method: 'occlusion', class: json.predicted });
    expect(json.map).toHaveLength(28);
    expect(json.map.every((row: number[]) => row.length === 28)).toBe(true);
    expect(json.neighbours).toHaveLength(8);
    expect(PNG.sync.read(readFileSync(png)).width).toBe(280);
  });

  it('exits 2 for an image out of range, an unknown method and a run without a model', async () => {
    const outOfRange = await runCliCaptured(['explain', String(run.id), '--image', '10000', '--db', dbFile]);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toContain('0 to 9999');
    const method = await runCliCaptured(['explain', String(run.id), '--image', '1', '--method', 'saliency', '--db', dbFile]);
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('ig, occlusion');
    const empty = recordCompletedRun(db, test.labels);
    const noModel = await runCliCaptured(['explain', String(empty.id), '--image', '1', '--db', dbFile]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('no stored model');
    const robust = await runCliCaptured(['robustness', String(empty.id), '--db', dbFile]);
    expect(robust.code).toBe(2);
  });
});

describe('an imported ONNX run on the command line', () => {
  it('is explained by occlusion and measured for robustness, and says why it has no integrated gradients or neighbours', async () => {
    const file = path.join(import.meta.dirname, '../../fixtures/imported/torch-small-cnn.onnx');
    const onnx = await importRun(storeOn(db).runs, { file, conventions: { layout: 'auto', scale: 'auto', output: 'auto' }, testLimit: TEST_COUNT });
    const occlusion = await runCliCaptured(['explain', String(onnx.id), '--image', '0', '--method', 'occlusion', '--json', '--db', dbFile]);
    expect(occlusion.code, occlusion.stderr).toBe(0);
    const json = occlusion.lastJson();
    expect(json).toMatchObject({ run: onnx.id, image: 0, method: 'occlusion', neighbours: null });
    expect(json.map).toHaveLength(28);
    expect(json.neighboursAbsent).toContain('torch-small-cnn.onnx is an imported onnx model, which digitlab runs without gradients');
    const ig = await runCliCaptured(['explain', String(onnx.id), '--image', '0', '--db', dbFile]);
    expect(ig.code).toBe(2);
    expect(ig.stderr).toContain("integrated gradients need the model's gradients: torch-small-cnn.onnx is an imported onnx model");
    const robustness = await runCliCaptured(['robustness', String(onnx.id), '--transforms', 'noise', '--json', '--db', dbFile]);
    expect(robustness.code, robustness.stderr).toBe(0);
    expect(robustness.lastJson().transforms[0].points[0]).toEqual({ strength: 0, accuracy: onnx.testAccuracy });
  }, 60_000);
});

describe('calibration on the command line', () => {
  it('prints ECE, MCE and 15 bins that hold every test image, and fits a temperature beside them on request', async () => {
    const raw = await runCliCaptured(['calibration', String(run.id), '--json', '--db', dbFile]);
    expect(raw.code, raw.stderr).toBe(0);
    const before = raw.lastJson();
    expect(before.bins).toHaveLength(15);
    expect(before.bins.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(TEST_COUNT);
    expect(before.calibrated).toBeNull();
    const fitted = (await runCliCaptured(['calibration', String(run.id), '--fit', '--json', '--db', dbFile])).lastJson();
    expect(fitted.ece).toBe(before.ece);
    expect(fitted.calibrated.validationCount).toBe(600);
    expect(fitted.calibrated.calibratedNll).toBeLessThanOrEqual(fitted.calibrated.validationNll);
  });
});

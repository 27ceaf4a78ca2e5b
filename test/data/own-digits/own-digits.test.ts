import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { scaledPixels } from '../../../src/data/batches.ts';
import { executeRun } from '../../../src/training/experiment.ts';
import { UnreadableImageError } from '../../../src/data/own-digits/decode.ts';
import { addOwnDigit, deleteOwnDigit, listOwnDigits, ownDigitPicture, toMnistBytes } from '../../../src/data/own-digits/digit-set.ts';
import { nearestVectors } from '../../../src/analysis/own-digits/neighbours.ts';
import { seededRandom } from '../../../src/core/random.ts';
import { preprocessDigit } from '../../../src/data/own-digits/preprocess.ts';
import { scoreRunOnOwnDigits } from '../../../src/models/own-digits/predict.ts';
import { openRunModel, RunHasNoModelError } from '../../../src/models/run-model.ts';
import { createRun, getRun, loadSavedModel, loadTestEmbeddings, type Run } from '../../../src/store/store.ts';
import { importRun } from '../../../src/training/import-run.ts';
import { runPredictionFile } from '../../../src/models/imported/prediction-file.ts';
import { layersModelToOnnx } from '../../../src/models/onnx/onnx-export.ts';
import { deserializeModel } from '../../../src/models/saved-model.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { memoryDb, smallRunParams } from '../../helpers/db.ts';
import { storeOn } from '../../../src/store/open-store.ts';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/own-digits');
const pictures: { file: string; label: number }[] = JSON.parse(readFileSync(path.join(FIXTURES, 'labels.json'), 'utf8'));
const picture = (file: string) => readFileSync(path.join(FIXTURES, file));

/**
 * One model for the whole file, trained on a disk store the CLI can open too. The issue asks
 * that the default run (60,000 images, 5 epochs, ~4 min) read 80% of the pictures; a test cannot
 * afford that run, so it holds a far weaker model (10,000 images, 1 epoch) to the same bar.
 */
const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-own-')), 'runs.sqlite');
let db: ReturnType<typeof openDb>;
let run: Run;

beforeAll(async () => {
  db = openDb(dbFile);
  const created = createRun(db, { name: 'own digits', params: smallRunParams({ trainLimit: 10000, testLimit: 500, seed: 3 }), status: 'running' });
  run = await executeRun(storeOn(db), created.id, { backend: 'wasm' });
  expect(run.status, run.error ?? '').toBe('completed');
  for (const { file, label } of pictures) addOwnDigit(db, { bytes: picture(file), label, name: file });
});

describe('the own-digit pictures', () => {
  it('are at least 30, of every digit, PNG and JPEG', () => {
    expect(pictures.length).toBeGreaterThanOrEqual(30);
    expect(new Set(pictures.map((p) => p.label)).size).toBe(10);
    expect(pictures.some((p) => p.file.endsWith('.jpg')) && pictures.some((p) => p.file.endsWith('.png'))).toBe(true);
  });

  it('are read correctly at least 80% of the time by a model trained on MNIST', async () => {
    const score = await scoreRunOnOwnDigits(db, run);
    const misread = score.results.filter((r) => r.predicted !== r.label).map((r) => `${r.id}: ${r.label} read as ${r.predicted}`);
    expect(score.count).toBe(pictures.length);
    expect(score.accuracy, `misread: ${misread.join(', ')}`).toBeGreaterThanOrEqual(0.8);
  });
});

describe('nearest vectors', () => {
  it('orders stored vectors by distance to the query', () => {
    const vectors = Float32Array.from([0, 0, 3, 4, 1, 0]);
    expect(nearestVectors(vectors, 2, Float32Array.from([0, 0]), 2)).toEqual([
      { index: 0, distance: 0 },
      { index: 2, distance: 1 },
    ]);
  });

  it('finds the same k nearest as sorting every distance, though it abandons far vectors part-way', () => {
    const random = seededRandom(4);
    const [count, dimensions, k] = [3000, 64, 8];
    const vectors = Float32Array.from({ length: count * dimensions }, () => random() * 2 - 1);
    for (let trial = 0; trial < 5; trial++) {
      const query = Float32Array.from({ length: dimensions }, () => random() * 2 - 1);
      const distance = (i: number) => Math.sqrt(query.reduce((sum, q, d) => sum + (vectors[i * dimensions + d]! - q) ** 2, 0));
      const sorted = Array.from({ length: count }, (_, i) => ({ index: i, distance: distance(i) })).sort((a, b) => a.distance - b.distance);
      const found = nearestVectors(vectors, dimensions, query, k);
      expect(found.map((n) => n.index)).toEqual(sorted.slice(0, k).map((n) => n.index));
      found.forEach((n, j) => expect(n.distance).toBeCloseTo(sorted[j]!.distance, 4));
    }
  });
});

describe('the own-digit set', () => {
  it('keeps the uploaded file and the 28x28 input, newest first, and deletes', () => {
    const memory = memoryDb();
    const first = addOwnDigit(memory, { bytes: picture(pictures[0]!.file), label: pictures[0]!.label, name: 'a.png' });
    const second = addOwnDigit(memory, { bytes: picture(pictures[1]!.file), label: pictures[1]!.label, name: 'b.jpg' });
    expect(listOwnDigits(memory).map((d) => d.name)).toEqual(['b.jpg', 'a.png']);
    expect(listOwnDigits(memory)[0]!.input).toHaveLength(784);
    expect(ownDigitPicture(memory, first.id).equals(picture(pictures[0]!.file))).toBe(true);
    deleteOwnDigit(memory, second.id);
    expect(listOwnDigits(memory).map((d) => d.id)).toEqual([first.id]);
    expect(() => deleteOwnDigit(memory, second.id)).toThrow(/no own digit with id/);
  });

  it('stores nothing for a picture it cannot read or a label that is not a digit', () => {
    const memory = memoryDb();
    expect(() => addOwnDigit(memory, { bytes: Buffer.from('not a picture'), label: 3, name: 'x' })).toThrow(UnreadableImageError);
    expect(() => addOwnDigit(memory, { bytes: picture(pictures[0]!.file), label: 10, name: 'x' })).toThrow(/label is 0 to 9/);
    expect(listOwnDigits(memory)).toEqual([]);
  });

  it('scores an empty set as no accuracy, and a run without a model as an error', async () => {
    const memory = memoryDb();
    const queued = createRun(memory, { name: 'untrained', params: smallRunParams() });
    await expect(scoreRunOnOwnDigits(memory, queued)).resolves.toMatchObject({ count: 0, accuracy: null });
    addOwnDigit(memory, { bytes: picture(pictures[0]!.file), label: pictures[0]!.label, name: 'a.png' });
    await expect(scoreRunOnOwnDigits(memory, getRun(memory, queued.id))).rejects.toThrow(RunHasNoModelError);
  });
});

describe('digitlab predict and own-digits', () => {
  it('prints the predicted class and ten probabilities as the last JSON line', async () => {
    const { file, label } = pictures.find((p) => p.label === 3)!;
    const result = await runCliCaptured(['predict', '--db', dbFile, '--run', String(run.id), path.join(FIXTURES, file), '--json']);
    expect(result.code).toBe(0);
    const json = result.lastJson();
    expect(json.predicted).toBe(label);
    expect(json.probabilities).toHaveLength(10);
    expect(json.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(json.runs).toEqual([expect.objectContaining({ runId: run.id, predicted: label })]);
  });

  it('asks every completed run with --run all, and shows probability bars without --json', async () => {
    const { file } = pictures.find((p) => p.label === 7)!;
    const result = await runCliCaptured(['predict', '--db', dbFile, '--run', 'all', path.join(FIXTURES, file)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`run ${run.id} \\(own digits\\): 7\\n  0 `));
  });

  it.each([
    ['a file that is not an image', () => {
      const file = path.join(path.dirname(dbFile), 'notes.png');
      writeFileSync(file, 'just text');
      return file;
    }, /notes.png: not a PNG or JPEG image/],
    ['a missing file', () => path.join(path.dirname(dbFile), 'absent.png'), /cannot read .*absent.png: ENOENT/],
  ])('exits 2 with a clear message on %s', async (_, file, message) => {
    const result = await runCliCaptured(['predict', '--db', dbFile, '--run', String(run.id), file()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('adds, lists and scores own digits from the command line', async () => {
    const { file, label } = pictures[0]!;
    const added = await runCliCaptured(['own-digits', '--db', dbFile, '--add', path.join(FIXTURES, file), '--label', String(label), '--json']);
    expect(added.lastJson().added).toEqual([expect.objectContaining({ label, name: file })]);
    const listed = await runCliCaptured(['own-digits', '--db', dbFile, '--json']);
    expect(listed.lastJson().digits).toHaveLength(pictures.length + 1);
    const scored = await runCliCaptured(['own-digits', '--db', dbFile, '--run', String(run.id), '--json']);
    expect(scored.lastJson().scores).toEqual([expect.objectContaining({ runId: run.id, count: pictures.length + 1 })]);
    const deleted = await runCliCaptured(['own-digits', '--db', dbFile, '--delete', String(added.lastJson().added[0].id)]);
    expect(deleted.code).toBe(0);
  });
});

describe('an imported run', () => {
  /** The file's model exported to ONNX and imported back, and its predictions imported as a .npy. */
  let onnxRun: Run;
  let predictionsRun: Run;

  beforeAll(async () => {
    const dir = path.dirname(dbFile);
    const model = await deserializeModel(loadSavedModel(db, run.id)!);
    writeFileSync(path.join(dir, 'model.onnx'), layersModelToOnnx(model, 'test'));
    model.dispose();
    writeFileSync(path.join(dir, 'preds.npy'), runPredictionFile(db, run.id, 'npy')!);
    const conventions = { layout: 'auto', scale: 'auto', output: 'auto' } as const;
    onnxRun = await importRun(storeOn(db).runs, { file: path.join(dir, 'model.onnx'), conventions, testLimit: 500 });
    predictionsRun = await importRun(storeOn(db).runs, { file: path.join(dir, 'preds.npy'), conventions });
  }, 60_000);

  it('reads own digits and finds neighbours through onnxruntime as the trained model does', async () => {
    const [trained, imported] = [await scoreRunOnOwnDigits(db, run), await scoreRunOnOwnDigits(db, onnxRun)];
    expect(imported.results.map((r) => r.predicted)).toEqual(trained.results.map((r) => r.predicted));
    const input = preprocessDigit(picture(pictures[0]!.file)).input;
    // Each run's embedding of the digit, searched among that run's stored test embeddings.
    const neighbours = async (r: Run) => {
      const stored = loadTestEmbeddings(db, r.id)!;
      const model = await openRunModel(db, r);
      const [query] = await model.predict(scaledPixels({ images: toMnistBytes(input), labels: new Uint8Array(1), count: 1 }, 0, 1), 1, true);
      model.dispose();
      return nearestVectors(stored.vectors, stored.dimensions, query!, 10).map((n) => n.index);
    };
    expect(await neighbours(onnxRun)).toEqual(await neighbours(run));
  });

  it('predicts from the command line, and says a prediction file has no model to read with', async () => {
    const { file, label } = pictures.find((p) => p.label === 3)!;
    const picturePath = path.join(FIXTURES, file);
    const imported = await runCliCaptured(['predict', '--db', dbFile, '--run', String(onnxRun.id), picturePath, '--json']);
    expect(imported.lastJson().predicted).toBe(label);
    const refused = await runCliCaptured(['predict', '--db', dbFile, '--run', String(predictionsRun.id), picturePath]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/imported from the prediction file preds.npy, which holds no model/);
    const all = await runCliCaptured(['predict', '--db', dbFile, '--run', 'all', picturePath]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`run ${predictionsRun.id} (preds.npy): no reading; it was imported from the prediction file`);
    expect(all.stdout).toContain(`run ${onnxRun.id} (model.onnx): ${label}`);
    const scored = await runCliCaptured(['own-digits', '--db', dbFile, '--run', 'all', '--json']);
    expect(scored.code).toBe(0);
    expect(scored.lastJson().scores).toContainEqual({ runId: predictionsRun.id, name: 'preds.npy', absence: expect.stringMatching(/holds no model/) });
  });
});

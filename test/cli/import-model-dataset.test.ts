import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { brightnessOnnx, FOUR_TEST_LABELS, fourClassIdxSet } from '../helpers/brightness-onnx.ts';
import { labelledImage, tempDir } from '../helpers/datasets.ts';

/** Everything this file writes: the dataset, the store, the models; removed afterwards. */
const root = tempDir('import-model-dataset');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The fixture's ONNX file of `units` outputs, for the CLI to read. */
function onnxFile(units: number): string {
  const file = path.join(root, `brightness-${units}.onnx`);
  writeFileSync(file, brightnessOnnx(units));
  return file;
}

let db: string;
beforeAll(async () => {
  await selectBackend('wasm');
  // brightnessOnnx's hand-worked oracle holds only if the fixture's images are as it says.
  FOUR_TEST_LABELS.forEach((label, i) => expect(labelledImage(label, i)[0]).toBe(40 * label + i));
  db = path.join(root, 'runs.sqlite');
  expect((await runCliCaptured(['datasets', 'add', 'four', fourClassIdxSet(path.join(root, 'four')), '--db', db])).code).toBe(0);
});

describe('importing a model file on a dataset other than 10-class MNIST', () => {
  it('imports a 4-output ONNX model on a 4-class dataset, scored on its test set under its class names', async () => {
    const imported = await runCliCaptured(['import', onnxFile(4), '--dataset', 'four', '--input-scale', 'unit', '--json', '--db', db]);
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
    const refused = await runCliCaptured(['import', onnxFile(10), '--dataset', 'four', '--db', db]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/10 outputs per image, but dataset 'four' has 4 classes/);
    expect((await runCliCaptured(['runs', '--json', '--db', db])).lastJson().runs).toHaveLength(before);
  });
});

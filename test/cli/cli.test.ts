import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'digitlab-cli-'));

describe('the digitlab CLI', () => {
  it('exits 2 naming the allowed flags on an unknown flag', async () => {
    const result = await runCliCaptured(['train', '--epoch', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--epoch'/);
    expect(result.stderr).toMatch(/allowed: .*--epochs .*--batch-size/);
  });

  it.each([
    [['train', '--epochs', 'many'], /--epochs must be a whole number from 1 to 1000; got 'many'/],
    [['train', '--learning-rate=0'], /--learning-rate must be a number from 1e-7 to 10/],
    [['train', '--backend', 'gpu'], /--backend must be one of auto, node, wasm, cpu; got 'gpu'/],
    [['train', '--tag', 'novalue'], /--tag takes key=value/],
    [['show'], /show takes RUN; got 0 argument/],
    [['show', 'abc'], /RUN must be a run id/],
    [['fly'], /unknown command 'fly'; commands: train, runs/],
    [['train', '--epochs', '-3'], /--epochs must be a whole number from 1 to 1000; got '-3'/],
    [['train', '--learning-rate', '-.5'], /--learning-rate must be a number from 1e-7 to 10; got '-.5'/],
    [['train', '--epochs', '0x2'], /--epochs must be a whole number .*got '0x2'/],
    [['train', '--epochs', '0b11'], /--epochs must be a whole number .*got '0b11'/],
    [['train', '--validation-split', '1e-400'], /--validation-split must be a number .*got '1e-400'/],
    [['train', '--validation-split', 'NaN'], /--validation-split must be a number .*got 'NaN'/],
    [['train', '--learning-rate', 'Infinity'], /--learning-rate must be a number .*got 'Infinity'/],
    [['train', '--epochs', '1e999'], /--epochs must be a whole number .*got '1e999'/],
    [['train', '--backend', 'node', '--train-limit', '100'], /backend 'node' is not available here.*use --backend auto, wasm or cpu/],
    [['train', '--backend', 'cpu', '--threads', '2', '--train-limit', '100'], /--threads 2 needs the wasm backend/],
    [['train', '--batch-size', '1', '--threads', '2', '--train-limit', '100'], /--threads needs at least 2 images per batch, one per thread; the batch size is 1/],
    // --workers, the flag's former name, still works and is read as --threads.
    [['train', '--backend', 'cpu', '--workers', '2', '--train-limit', '100'], /--threads 2 needs the wasm backend/],
    [['train', '--batch-size', '1', '--workers', '2', '--train-limit', '100'], /--threads needs at least 2 images per batch/],
    [['train', '--workers', '2', '--threads', '2'], /--workers is the former name of --threads; give one of them/],
  ])('exits 2 on bad input %j', async (argv, message) => {
    const result = await runCliCaptured([...argv, '--db', path.join(tempDir(), 'x.sqlite')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('prints help for every command', async () => {
    const overview = await runCliCaptured(['--help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/train .*\n.*runs/);
    const train = await runCliCaptured(['train', '--help']);
    expect(train.stdout).toMatch(/--validation-split F .*\(0 to 0.9\)/);
  });

  it('lists the model presets with their layers and parameter counts', async () => {
    const listed = await runCliCaptured(['models', '--json']);
    const models = listed.lastJson().models as { name: string; parameters: number; summary: { rows: { layer: string }[] } }[];
    expect(models.map((m) => m.name)).toEqual(['reference', 'mlp', 'reference-dropout', 'reference-wide', 'reference-bn', 'batchnorm-cnn', 'lenet5']);
    // DESIGN.md's count for the reference CNN; batch norm's moving statistics count, as in Keras.
    expect(models[0]).toMatchObject({ parameters: 121_930, default: true });
    expect(models.find((m) => m.name === 'batchnorm-cnn')!.summary.rows.map((row) => row.layer)).toContain('batchNormalization');
    const text = await runCliCaptured(['models']);
    expect(text.stdout).toMatch(/^lenet5: 61,706 parameters\n/m);
  });

  it('trains, lists, shows and exports a run, with --json as the last stdout line', async () => {
    const dir = tempDir();
    const env = { DIGITLAB_DB: path.join(dir, 'runs.sqlite') };
    const trained = await runCliCaptured(
      ['train', '--train-limit', '2000', '--test-limit', '500', '--epochs', '1', '--seed', '5', '--tag', 'purpose=test', '--json'],
      env,
    );
    expect(trained.code).toBe(0);
    const summary = trained.lastJson();
    expect(summary).toMatchObject({ runId: 1, status: 'completed', tags: { purpose: 'test' } });
    expect(summary.testAccuracy).toBeGreaterThan(0.6);
    expect(summary.epochs).toEqual([
      expect.objectContaining({ epoch: 1, loss: expect.any(Number), valAccuracy: expect.any(Number), seconds: expect.any(Number) }),
    ]);
    expect(summary.trainSamplesPerSecond).toBeGreaterThan(0);
    expect(trained.stderr).toMatch(/epoch 1\/1 +loss \d\.\d{4} +acc/);

    const listed = await runCliCaptured(['runs', '--json'], env);
    expect(listed.lastJson().runs).toEqual([
      expect.objectContaining({ id: 1, status: 'completed', testAccuracy: summary.testAccuracy }),
    ]);
    const shown = await runCliCaptured(['show', '1'], env);
    expect(shown.stdout).toMatch(/true\\pred/);
    expect(shown.stdout).toMatch(/model reference\n +Layer +Output shape +Params\n[\s\S]*dense 64 relu +\(64\) +102,464\n[\s\S]*Total params: 121,930/);

    const exportDir = path.join(dir, 'model');
    expect((await runCliCaptured(['export', '1', exportDir], env)).code).toBe(0);
    const modelJson = JSON.parse(readFileSync(path.join(exportDir, 'model.json'), 'utf8'));
    const weights = readFileSync(path.join(exportDir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    expect(model.countParams()).toBe(121930);
  });
});

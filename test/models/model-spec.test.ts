import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelSpec } from '../../src/models/model-spec.ts';
import { MODEL_PRESETS, PRESET_NAMES, presetSpec } from '../../src/models/model-presets.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { BATCH_NORM_DROPOUT_SPEC } from '../helpers/model-specs.ts';

const SMALL = ['--train-limit', '500', '--test-limit', '100', '--epochs', '1', '--backend', 'wasm', '--json', '--db', ':memory:'];
const SOFTMAX = { type: 'dense', units: 10, activation: 'softmax' };
/** One epoch on 5,000 training images (no validation split), tested on 1,000. */
const FIVE_THOUSAND = ['--train-limit', '5000', '--validation-split', '0', '--test-limit', '1000', '--epochs', '1', '--json', '--db', ':memory:'];

describe('model specs', () => {
  it('counts the reference preset as DESIGN.md does, and every preset passes its own check', () => {
    expect(checkModelSpec(presetSpec('reference')).summary.totalParameters).toBe(121930);
    for (const name of PRESET_NAMES) expect(() => checkModelSpec(MODEL_PRESETS[name].spec)).not.toThrow();
  });

  it('counts the forward multiply-adds of an image: every kernel weight once per output position', () => {
    // conv 3x3x1x32 over 26x26, conv 3x3x32x64 over 11x11, dense 1600x64, dense 64x10.
    expect(checkModelSpec(presetSpec('reference')).summary.multiplyAdds).toBe(9 * 32 * 26 * 26 + 9 * 32 * 64 * 11 * 11 + 1600 * 64 + 64 * 10);
    // Strided and padded: a 5x5 conv with stride 2 and same padding has 14x14 outputs; pooling and batch norm count none.
    const { summary } = checkModelSpec({
      layers: [
        { type: 'conv2d', filters: 8, kernelSize: 5, strides: 2, padding: 'same' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        SOFTMAX,
      ],
    });
    expect(summary.multiplyAdds).toBe(25 * 8 * 14 * 14 + 7 * 7 * 8 * 10);
  });

  it.each([
    [{ layers: [{ type: 'conv3d' }, SOFTMAX] }, /layers\[0\]: unknown type "conv3d"/],
    [{ layers: [{ type: 'conv2d', kernelSize: 3 }, { type: 'flatten' }, SOFTMAX] }, /layers\[0\] \(conv2d\): missing field "filters"/],
    [{ layers: [{ type: 'conv2d', filters: -4, kernelSize: 3 }, { type: 'flatten' }, SOFTMAX] }, /layers\[0\] \(conv2d\): filters must be a whole number/],
    [{ layers: [{ type: 'maxPooling2d', poolSize: 16 }, { type: 'maxPooling2d', poolSize: 2 }, { type: 'flatten' }, SOFTMAX] }, /layers\[1\] \(maxPooling2d\): poolSize 2 on a 1x1x1 input collapses the output to 0x0x1/],
    [{ layers: [{ type: 'flatten' }, { type: 'dense', units: 10 }] }, /layers\[1\] \(dense\): the last layer must be/],
  ])('rejects a bad spec with exit 2 naming the layer: %j', async (spec, message) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'spec-')), 'bad.json');
    writeFileSync(file, JSON.stringify(spec));
    const result = await runCliCaptured(['train', '--model', file, ...SMALL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('takes the Keras fields of batch norm, convolutions and dense layers, and counts a layer without bias as Keras does', () => {
    const { spec, summary } = checkModelSpec({
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, useBias: false, kernelInitializer: 'heNormal', activation: 'relu' },
        { type: 'batchNormalization', momentum: 0.9, epsilon: 1e-5 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 10, activation: 'softmax', useBias: true, kernelInitializer: 'leCunUniform' },
      ],
    });
    // 3*3*1*4 kernel weights and no biases; batch norm's 4 gammas, betas, means and variances; 26*26*4*10 + 10.
    expect(summary.rows.map((row) => row.parameters)).toEqual([36, 16, 0, 0, 27050]);
    expect(summary.rows.map((row) => row.layer)).toEqual([
      'conv2d 4 3x3 relu no bias heNormal',
      'batchNormalization momentum 0.9 epsilon 0.00001',
      'flatten',
      'dropout 0.5',
      'dense 10 softmax leCunUniform',
    ]);
    expect(spec.layers[1]).toEqual({ type: 'batchNormalization', momentum: 0.9, epsilon: 1e-5 });
  });

  it.each([
    [{ type: 'batchNormalization', momentum: 1 }, /layers\[0\] \(batchNormalization\): momentum must be a number from 0 to below 1; got 1/],
    [{ type: 'batchNormalization', momentum: '0.9' }, /layers\[0\] \(batchNormalization\): momentum must be a number from 0 to below 1; got "0.9"/],
    [{ type: 'batchNormalization', epsilon: 0 }, /layers\[0\] \(batchNormalization\): epsilon must be a number above 0 and at most 1; got 0/],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, useBias: 'no' }, /layers\[0\] \(conv2d\): useBias must be true or false; got "no"/],
    [{ type: 'conv2d', filters: 2, kernelSize: 3, kernelInitializer: 'glorot_uniform' }, /layers\[0\] \(conv2d\): kernelInitializer must be one of glorotUniform, glorotNormal, heUniform, heNormal, leCunUniform, leCunNormal; got "glorot_uniform"/],
    [{ type: 'dropout', rate: 1 }, /layers\[0\] \(dropout\): rate must be a number from 0 to below 1; got 1/],
  ])('refuses an out-of-range Keras field, naming the layer and field: %j', (layer, message) => {
    expect(() => checkModelSpec({ layers: [layer, { type: 'flatten' }, SOFTMAX] })).toThrow(message);
  });

  it('trains --model reference to exactly the metrics of the default run', async () => {
    const plain = (await runCliCaptured(['train', '--seed', '5', ...SMALL])).lastJson();
    const named = (await runCliCaptured(['train', '--model', 'reference', '--seed', '5', ...SMALL])).lastJson();
    expect(named.status).toBe('completed');
    expect(named.testAccuracy).toBe(plain.testAccuracy);
    expect(named.testLoss).toBe(plain.testLoss);
    expect(named.epochs).toEqual(plain.epochs.map((e: { seconds: number }, i: number) => ({ ...e, seconds: named.epochs[i].seconds })));
    expect(named.params).toEqual(plain.params);
  }, 120_000);

  it('trains a spec file with batch norm and dropout on 5,000 images in one epoch to a sane accuracy', async () => {
    const spec = BATCH_NORM_DROPOUT_SPEC;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'spec-')), 'bn-dropout.json');
    writeFileSync(file, JSON.stringify(spec));
    const run = (await runCliCaptured(['train', '--model', file, '--seed', '2', ...FIVE_THOUSAND])).lastJson();
    expect(run).toMatchObject({ status: 'completed', model: { name: 'bn-dropout', layers: spec.layers } });
    expect(run.epochs).toHaveLength(1);
    expect(run.testAccuracy).toBeGreaterThan(0.8);
  }, 180_000);
});


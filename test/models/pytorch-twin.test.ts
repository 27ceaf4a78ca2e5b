import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkModelSpec, type ModelSpec } from '../../src/models/model-spec.ts';
import { PRESET_NAMES, presetSpec } from '../../src/models/model-presets.ts';
import { PYTHON, pytorchTwinParameters, TORCH_INSTALL_HINT } from '../../src/models/pytorch-twin.ts';

// .ci/run installs python3-torch; elsewhere a machine without it skips these, saying why.
const noTorch = spawnSync(PYTHON, ['-c', 'import torch']).status !== 0;
const inCi = process.env.CI === 'true';
if (noTorch && !inCi) console.warn(`PyTorch twin tests skipped: ${PYTHON} cannot import torch (${TORCH_INSTALL_HINT})`);

/** Every window option the twin has to translate: strided same convolutions, same pooling of both kinds, batch norm on a flat input. */
const ODD_WINDOWS: ModelSpec = {
  layers: [
    { type: 'conv2d', filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'elu' },
    { type: 'averagePooling2d', poolSize: 3, strides: 2, padding: 'same' },
    { type: 'maxPooling2d', poolSize: 2, padding: 'same' },
    { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', activation: 'sigmoid' },
    { type: 'batchNormalization' },
    { type: 'flatten' },
    { type: 'batchNormalization' },
    { type: 'dense', units: 16, activation: 'tanh' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

/** The Keras fields a spec may give: batch norm's momentum and epsilon, layers without bias, other initialisers. */
const KERAS_FIELDS: ModelSpec = {
  layers: [
    { type: 'conv2d', filters: 8, kernelSize: 3, useBias: false, kernelInitializer: 'heNormal', activation: 'relu' },
    { type: 'batchNormalization', momentum: 0.9, epsilon: 1e-5 },
    { type: 'maxPooling2d', poolSize: 2, strides: 2, padding: 'same' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.3 },
    { type: 'dense', units: 12, useBias: false, kernelInitializer: 'leCunUniform', activation: 'relu' },
    { type: 'batchNormalization', momentum: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax', kernelInitializer: 'glorotNormal' },
  ],
};

describe.skipIf(noTorch && !inCi)('the PyTorch twin of a spec (bench/torch_model.py)', () => {
  const cases: [string, ModelSpec][] = [...PRESET_NAMES.map((name): [string, ModelSpec] => [name, presetSpec(name)]), ['odd windows', ODD_WINDOWS], ['Keras fields', KERAS_FIELDS]];

  it('every preset, and a spec using every window option, has exactly digitlab\'s parameter counts and maps a batch to 10 logits', async () => {
    const expected = cases.map(([name, spec]) => {
      const { summary } = checkModelSpec(spec);
      return { name, parameters: summary.totalParameters, trainable: summary.trainableParameters };
    });
    const twins = await pytorchTwinParameters(cases.map(([, spec]) => spec));
    if ('missing' in twins) throw new Error(twins.missing);
    expect(cases.map(([name], i) => ({ name, parameters: twins[i]!.parameters, trainable: twins[i]!.trainableParameters }))).toEqual(expected);
  }, 60_000);

  it("gives batch norm the spec's momentum (PyTorch's is 1 minus Keras') and epsilon", () => {
    const probe = spawnSync(PYTHON, ['-c', BATCH_NORM_PROBE], { input: JSON.stringify(KERAS_FIELDS), encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual([[0.1, 1e-5], [0.5, 1e-3]]);
  }, 60_000);

  it('flattens in NHWC order, as Keras does, so the dense layer sees what it sees in digitlab', () => {
    // Channels-last flatten: the dense layer's input index of pixel (row, col, channel) is (row*w + col)*c + channel.
    const spec: ModelSpec = { layers: [{ type: 'conv2d', filters: 2, kernelSize: 1 }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] };
    const probe = spawnSync(PYTHON, ['-c', FLATTEN_PROBE], { input: JSON.stringify(spec), encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual([0, 1, 2, 3, 4, 5]);
  }, 60_000);
});

/** Each batch norm's PyTorch momentum and epsilon, rounded past float noise. */
const BATCH_NORM_PROBE = `
import json, sys, torch
sys.path.insert(0, 'bench')
from torch_model import build
model = build(json.load(sys.stdin))
print(json.dumps([[round(m.momentum, 6), m.eps] for m in model if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]))
`;

/** Feeds channel c of pixel (0, x) the value 2x + c through the twin's flatten and prints its first 6 outputs. */
const FLATTEN_PROBE = `
import json, sys, torch
sys.path.insert(0, 'bench')
from torch_model import build
model = build(json.load(sys.stdin))
flatten = model[1]
x = torch.zeros(1, 2, 28, 28)
for col in range(28):
    for c in range(2):
        x[0, c, 0, col] = 2 * col + c
print(json.dumps([int(v) for v in flatten(x)[0, :6].tolist()]))
`;

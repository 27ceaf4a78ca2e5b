import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PYTHON, TORCH_INSTALL_HINT } from '../../../src/models/pytorch-twin.ts';
import { loadImportedModel } from '../../../src/store/imported-runs.ts';
import { runCliCaptured } from '../../helpers/cli.ts';
import { webApp } from '../../helpers/web.ts';

// .ci/run installs python3-torch; elsewhere a machine without it skips these, saying why.
const noTorch = spawnSync(PYTHON, ['-c', 'import torch']).status !== 0;
const inCi = process.env.CI === 'true';
if (noTorch && !inCi) console.warn(`PyTorch import tests skipped: ${PYTHON} cannot import torch (${TORCH_INSTALL_HINT})`);

const IMAGES = '1000';
const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-torch-'));

interface TorchExport {
  onnx: string;
  testAccuracy: number;
  testLoss: number;
}

/** Trains and exports a network with bench/torch_export_onnx.py; PyTorch's own test figures come back with it. */
function torchExport(name: string, flags: string[]): TorchExport {
  const out = path.join(dir, `${name}.onnx`);
  const args = ['bench/torch_export_onnx.py', ...flags, '--train-limit', IMAGES, '--test-limit', IMAGES, '--dynamic-batch', '--out', out];
  const result = spawnSync(PYTHON, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as TorchExport;
}

const importJson = async (file: string, flags: string[] = []) => {
  const result = await runCliCaptured(['import', file, '--test-limit', IMAGES, '--json', '--db', path.join(dir, 'runs.sqlite'), ...flags]);
  return { code: result.code, stderr: result.stderr, run: result.code === 0 ? result.lastJson() : null };
};

describe.skipIf(noTorch && !inCi)("PyTorch models imported with auto, scored as PyTorch scores them", () => {
  let examples: TorchExport;
  let mlp: TorchExport;

  beforeAll(() => {
    // PyTorch's examples/mnist network: inputs (x - 0.1307) / 0.3081, log_softmax out.
    examples = torchExport('examples-mnist', ['--model', 'examples-mnist', '--scale', 'normalize', '--output', 'log-softmax']);
    mlp = torchExport('mlp', ['--model', 'mlp']);
  }, 300_000);

  it("reads examples/mnist's normalised inputs and log-probabilities: PyTorch's accuracy and loss", async () => {
    const { run } = await importJson(examples.onnx);
    expect(Math.abs(run.testAccuracy - examples.testAccuracy)).toBeLessThanOrEqual(0.002);
    expect(run.testLoss).toBeCloseTo(examples.testLoss, 3);
    expect(run.imported).toMatchObject({ inputShape: [-1, 1, 28, 28], inputScale: 'normalize:0.1307,0.3081', output: 'log-probabilities' });
  }, 120_000);

  it('reads an MLP that takes [n,784]', async () => {
    const { run } = await importJson(mlp.onnx);
    expect(Math.abs(run.testAccuracy - mlp.testAccuracy)).toBeLessThanOrEqual(0.002);
    expect(run.testLoss).toBeCloseTo(mlp.testLoss, 3);
    expect(run.imported).toMatchObject({ inputShape: [-1, 784], inputScale: 'unit', output: 'logits' });
  }, 120_000);

  it('takes --input-normalize MEAN,STD, refuses a bad one with exit 2, and the run page says which was used', async () => {
    const { run } = await importJson(examples.onnx, ['--input-normalize', '0.1307,0.3081', '--output', 'log-probabilities']);
    expect(run.testAccuracy).toBeCloseTo(examples.testAccuracy, 6);
    const bad = await importJson(examples.onnx, ['--input-normalize', '0.13,0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--input-normalize takes MEAN,STD with STD above 0 .*got '0.13,0'/);
    const clash = await importJson(examples.onnx, ['--input-normalize', '0.1307,0.3081', '--input-scale', 'byte']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/leave the input scale at auto \(got byte\)/);

    const { app, db } = webApp();
    const form = new FormData();
    form.append('file', new File([await import('node:fs').then((fs) => fs.readFileSync(examples.onnx))], 'examples.onnx'));
    form.append('normalize', '0.1307,0.3081');
    const res = await app.request('/runs/import', { method: 'POST', body: form, headers: { Origin: 'http://localhost' } });
    expect(res.status).toBe(303);
    const id = Number(res.headers.get('location')!.split('/').pop());
    expect(loadImportedModel(db, id)).toMatchObject({ inputScale: 'normalize:0.1307,0.3081', output: 'log-probabilities' });
    const page = await (await app.request(`/runs/${id}`)).text();
    expect(page).toContain('(x - 0.1307) / 0.3081, x in [0, 1]');
    expect(page).toContain('log-probabilities (exponentials taken)');
    expect(page).toContain('--input-normalize 0.1307,0.3081');
  }, 180_000);
});

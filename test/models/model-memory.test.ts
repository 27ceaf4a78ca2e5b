import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelSpec } from '../../src/models/model-spec.ts';
import { defaultMemoryLimit, modelMemory } from '../../src/models/model-memory.ts';
import { presetSpec } from '../../src/models/model-presets.ts';
import { listRuns } from '../../src/store/store.ts';
import { parseHyperparameters } from '../../src/training/run-request.ts';
import { parseLaunchForm } from '../../src/web/launch.ts';
import { runCliCaptured } from '../helpers/cli.ts';
import { postForm, webApp } from '../helpers/web.ts';

/** The network: 4,096 filters and 4,096 dense units, 11.3 billion parameters. */
const HUGE = {
  layers: [
    { type: 'conv2d', filters: 4096, kernelSize: 3, activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 4096, activation: 'relu' },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
};

describe("a network's training memory", () => {
  it('counts four float32s a parameter and each activation twice, worked by hand for the reference CNN', () => {
    const memory = modelMemory(checkModelSpec(presetSpec('reference')).summary, 64);
    expect(memory.parameterBytes).toBe(4 * 4 * 121930);
    // Input 784, then 26*26*32, 13*13*32, 11*11*64, 5*5*64, flatten 1600, 64, 10 values an image.
    expect(memory.activationBytes).toBe(2 * 4 * 64 * (784 + 21632 + 5408 + 7744 + 1600 + 1600 + 64 + 10));
    expect(defaultMemoryLimit()).toBe(os.totalmem() / 4);
  });

  it('refuses 11 billion parameters with exit 2 before a store is even created, and --max-model-memory moves the limit', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'huge-'));
    const file = path.join(folder, 'huge.json');
    writeFileSync(file, JSON.stringify(HUGE));
    const db = path.join(folder, 'runs.sqlite');
    const result = await runCliCaptured(['train', '--model', file, '--epochs', '1', '--json', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--model huge: training this network needs about 171\.6 GB: 11,341,484,042 parameters .* the limit is [\d.]+ GB \(a quarter of this machine's [\d.]+ GB; --max-model-memory GB raises it\)/);
    expect(existsSync(db)).toBe(false);

    const problem = (checked: ReturnType<typeof parseHyperparameters>) => (checked.ok ? null : checked.problems.map((p) => `${p.field}: ${p.problem}`).join('; '));
    expect(problem(parseHyperparameters({ model: file }, { maxModelMemoryGb: 200 }))).toBeNull();
    expect(problem(parseHyperparameters({ model: 'reference' }, { maxModelMemoryGb: 0.01 }))).toMatch(/the limit is 0\.010 GB \(set by --max-model-memory\)/);
    // Activations grow with the batch: the reference fits 0.03 GB in batches of 64, not of 256.
    expect(problem(parseHyperparameters({ model: 'reference' }, { maxModelMemoryGb: 0.03 }))).toBeNull();
    expect(problem(parseHyperparameters({ model: 'reference', 'batch-size': 256 }, { maxModelMemoryGb: 0.03 }))).toMatch(/a batch of 256/);
  }, 60_000);

  it('is refused by the launch form and POST /api/runs with 422, and nothing is queued', async () => {
    const { app, db } = webApp();
    const spec = JSON.stringify(HUGE);
    const form = parseLaunchForm({ model: 'custom', spec });
    expect(form.ok).toBe(false);
    expect(!form.ok && form.errors.spec).toMatch(/11,341,484,042 parameters/);
    const page = await postForm(app, '/runs', { model: 'custom', spec });
    expect(page.status).toBe(422);
    const api = await app.request('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'custom', spec }) });
    expect(api.status).toBe(422);
    expect(JSON.stringify(await api.json())).toMatch(/171\.6 GB/);
    expect(listRuns(db)).toEqual([]);
  });
});

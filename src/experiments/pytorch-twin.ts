import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from './model-spec.ts';

/**
 * A spec's PyTorch twin (bench/torch_model.py): the same architecture built in PyTorch, so
 * `bench` can put any network's training speed beside PyTorch's on the same cores. PyTorch is
 * optional: when it is missing, callers get the reason and how to install it, not an error.
 */
export const PYTHON = '/usr/bin/python3';
export const TORCH_INSTALL_HINT = 'apt-get update && apt-get install -y python3-torch';
export const TWIN_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/torch_model.py');

export interface TwinFigures {
  engine: string;
  /** As Keras counts them: batch norm's moving statistics included. */
  parameters: number;
  trainableParameters: number;
}

export interface TwinThroughput extends TwinFigures {
  threads: number;
  samplesPerSecond: number;
}

/** Why the twin could not run (no python, no torch, no script), with what to do about it. */
export interface TwinMissing {
  missing: string;
}

export interface TwinOptions {
  batchSize?: number;
  batches?: number;
  /** PyTorch's threads (default 2, as ../shared/bench/torch_cnn.py). */
  threads?: number;
}

function runTwin(spec: ModelSpec | ModelSpec[], args: string[]): Promise<unknown> {
  if (!existsSync(TWIN_SCRIPT)) return Promise.resolve({ missing: `${TWIN_SCRIPT} not found` });
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [TWIN_SCRIPT, '--spec', '-', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const fail = (reason: string) =>
      resolve({ missing: `${PYTHON} ${path.basename(TWIN_SCRIPT)} failed (${reason}); install PyTorch with: ${TORCH_INSTALL_HINT}` });
    child.on('error', (err) => fail(err.message));
    child.on('close', (code) => {
      if (code !== 0) return fail(stderr.trim().split('\n').pop() || `exit ${code}`);
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
    });
    child.stdin.end(JSON.stringify(spec));
  });
}

type TwinOutput = Record<string, unknown>;
const isMissing = (out: unknown): out is TwinMissing => typeof out === 'object' && out !== null && 'missing' in out;

const figures = (out: TwinOutput): TwinFigures => ({
  engine: out.engine as string,
  parameters: out.parameters as number,
  trainableParameters: out.trainable_parameters as number,
});

/** The twins' parameter counts, in one python process, after each has checked that a batch comes out as 10 logits. */
export async function pytorchTwinParameters(specs: ModelSpec[]): Promise<TwinFigures[] | TwinMissing> {
  const out = await runTwin(specs, ['--parameters-only']);
  return isMissing(out) ? out : (out as TwinOutput[]).map(figures);
}

/** The twin's training samples/s, measured as torch_cnn.py measures the reference (Adam, a random batch). */
export async function measurePytorchTwin(spec: ModelSpec, options: TwinOptions = {}): Promise<TwinThroughput | TwinMissing> {
  const args = [
    ...(options.batchSize ? ['--batch-size', String(options.batchSize)] : []),
    ...(options.batches ? ['--batches', String(options.batches)] : []),
    ...(options.threads ? ['--threads', String(options.threads)] : []),
  ];
  const out = await runTwin(spec, args);
  if (isMissing(out)) return out;
  const figure = out as TwinOutput;
  return { ...figures(figure), threads: figure.threads as number, samplesPerSecond: figure.samples_per_second as number };
}

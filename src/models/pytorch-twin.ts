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

export interface TwinThroughput {
  engine: string;
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

/** Runs a PyTorch bench script (the twin builder reads `specs` on stdin) and parses its last stdout line. */
function runPython(script: string, args: string[], specs?: ModelSpec | ModelSpec[]): Promise<unknown> {
  if (!existsSync(script)) return Promise.resolve({ missing: `${script} not found` });
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [script, ...(specs ? ['--spec', '-'] : []), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const fail = (reason: string) =>
      resolve({ missing: `${PYTHON} ${path.basename(script)} failed (${reason}); install PyTorch with: ${TORCH_INSTALL_HINT}` });
    child.on('error', (err) => fail(err.message));
    child.on('close', (code) => {
      if (code !== 0) return fail(stderr.trim().split('\n').pop() || `exit ${code}`);
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
    });
    child.stdin.end(specs ? JSON.stringify(specs) : undefined);
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
  const out = await runPython(TWIN_SCRIPT, ['--parameters-only'], specs);
  return isMissing(out) ? out : (out as TwinOutput[]).map(figures);
}

const throughputArgs = (options: TwinOptions) => [
  ...(options.batchSize ? ['--batch-size', String(options.batchSize)] : []),
  ...(options.batches ? ['--batches', String(options.batches)] : []),
  ...(options.threads ? ['--threads', String(options.threads)] : []),
];

const throughput = (out: TwinOutput): TwinThroughput => ({
  engine: out.engine as string,
  threads: out.threads as number,
  samplesPerSecond: out.samples_per_second as number,
});

/** The twin's training samples/s, measured as torch_cnn.py measures the reference (Adam, a random batch). */
export async function measurePytorchTwin(spec: ModelSpec, options: TwinOptions = {}): Promise<(TwinThroughput & TwinFigures) | TwinMissing> {
  const out = await runPython(TWIN_SCRIPT, throughputArgs(options), spec);
  return isMissing(out) ? out : { ...figures(out as TwinOutput), ...throughput(out as TwinOutput) };
}

/**
 * The samples/s of a fixed PyTorch script that prints torch_cnn.py's JSON line, such as the team's
 * reference ../shared/bench/torch_cnn.py, which the reference CNN's speed is judged against.
 */
export async function measurePytorchScript(script: string, options: TwinOptions = {}): Promise<TwinThroughput | TwinMissing> {
  const out = await runPython(script, throughputArgs(options));
  return isMissing(out) ? out : throughput(out as TwinOutput);
}

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';

const BIN = path.resolve('bin/digitlab.js');

/** Starts a long CLI training run and resolves once its first epoch is written. */
function startLongRun(db: string) {
  const child = spawn(process.execPath, [BIN, 'train', '--db', db, '--train-limit', '1000', '--test-limit', '100', '--epochs', '200', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const firstEpoch = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // The line that ends epoch 1 (its loss), not the progress bar that runs during it.
      if (/epoch 1\/200  loss/.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`training exited early:\n${stderr}`)));
  });
  return { child, firstEpoch, exited, stderr: () => stderr };
}

async function onlyRun(db: string) {
  const shown = await runCliCaptured(['show', '1', '--json', '--db', db]);
  return shown.lastJson();
}

describe('a training process that is interrupted', () => {
  it('marks the run cancelled on Ctrl-C, keeping every epoch written, and exits 130', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-int-')), 'runs.sqlite');
    const run = startLongRun(db);
    await run.firstEpoch;
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const summary = await onlyRun(db);
    expect(summary.status).toBe('cancelled');
    expect(summary.epochs.length).toBeGreaterThanOrEqual(1);
    expect(run.stderr()).toMatch(/stopping after this batch/);
  });

  it('records SIGTERM (a scheduler, a time limit) as an interruption: the run fails with the cause, not as cancelled by the user, and exits 1', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-term-')), 'runs.sqlite');
    const run = startLongRun(db);
    await run.firstEpoch;
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(1);
    const summary = await onlyRun(db);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^interrupted by SIGTERM/);
    expect(summary.epochs.length).toBeGreaterThanOrEqual(1);
  });

  it('leaves a run that the next start of digitlab marks failed, keeping its epochs', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-kill-')), 'runs.sqlite');
    const run = startLongRun(db);
    await run.firstEpoch;
    run.child.kill('SIGKILL');
    await run.exited;
    const listed = await runCliCaptured(['runs', '--json', '--db', db]);
    expect(listed.stderr).toMatch(/run 1 .* was left running by a process that died; marked failed/);
    const summary = await onlyRun(db);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/training process \(pid \d+\) died/);
    expect(summary.epochs.length).toBeGreaterThanOrEqual(1);
  });

  it('answers Ctrl-C during the final evaluation, and twice still prints the --json line', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-eval-int-')), 'runs.sqlite');
    const child = spawn(process.execPath, [BIN, 'train', '--db', db, '--train-limit', '400', '--epochs', '1', '--seed', '1', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The epoch line is written just before the 10,000 test images are evaluated.
    await new Promise<void>((resolve) => child.stderr.on('data', (chunk) => (stderr += chunk) && /epoch 1\/1 /.test(stderr) && resolve()));
    const signalled = Date.now();
    child.kill('SIGINT');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ status: 'cancelled', testAccuracy: null });
    expect(summary.epochs).toHaveLength(1);
  }, 60_000);
});

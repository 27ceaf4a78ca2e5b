import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { createRun, epochHistory, getRun } from '../../../src/store/store.ts';
import { runAttemptHistory } from '../../../src/store/run-attempts.ts';
import { smallRunParams } from '../../helpers/db.ts';
import { startServer } from '../../helpers/e2e.ts';
import { exited, until } from '../../helpers/waiting.ts';
import { sbatch } from '../../../src/execution/slurm/slurm.ts';

// .ci/run brings up a one-node cluster (.ci/slurm-up); a machine without Slurm's client skips this.
const noSlurm = spawnSync('sinfo', ['--version']).error !== undefined;
if (noSlurm) console.warn('Slurm executor tests skipped: sinfo is not installed (run .ci/slurm-up as root: it installs and starts slurm-wlm and munge)');

const servers: ChildProcess[] = [];
afterAll(async () => {
  for (const server of servers) server.kill('SIGTERM');
  await Promise.all(servers.map(exited));
});

/** A store with `runs` queued and `digitlab serve --executor slurm` on it, training nothing itself. */
async function slurmServer(runs: number, slurmArgs: string[] = [], epochs = 1) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-slurm-')), 'runs.sqlite');
  const db = openDb(file);
  const ids = Array.from({ length: runs }, (_, i) => createRun(db, { name: `slurm ${i + 1}`, params: smallRunParams({ seed: i + 1, epochs, trainLimit: 1000, testLimit: 200 }) }).id);
  const args = ['--executor', 'slurm', '--max-concurrent', '0', ...slurmArgs.map((arg) => `--slurm-arg=${arg}`)];
  const { server, url } = await startServer({ db: file, args });
  servers.push(server);
  return { db, ids, url };
}

/** squeue's word for a job the controller still holds (it keeps ended ones a few minutes). */
const squeueState = (jobId: string) => execFileSync('squeue', ['--noheader', '--states=all', `--jobs=${jobId}`, '--format=%T'], { encoding: 'utf8' }).trim();

describe.skipIf(noSlurm)('serve --executor slurm', () => {
  it('submits each queued run as a batch job whose worker trains it; the job ids are recorded and shown', async () => {
    const { db, ids, url } = await slurmServer(2, ['--cpus-per-task=1']);
    await until('two completed runs', () => ids.every((id) => getRun(db, id).status === 'completed'), 300_000);
    const jobIds = ids.map((id) => getRun(db, id).slurmJobId);
    expect(new Set(jobIds).size).toBe(2);
    for (const [i, id] of ids.entries()) {
      const jobId = jobIds[i]!;
      expect(jobId).toMatch(/^\d+$/);
      // The token travels in the job's environment, never in its script or on a command line.
      expect(execFileSync('scontrol', ['write', 'batch_script', jobId, '-'], { encoding: 'utf8' })).not.toContain('dlw_');
      expect(runAttemptHistory(db, id)).toMatchObject([{ attempt: 1, slurmJobId: jobId, outcome: 'completed' }]);
      expect(getRun(db, id)).toMatchObject({ source: 'worker', testAccuracy: expect.any(Number) });
      expect(epochHistory(db, id)).toHaveLength(1);
      // The worker reports before it exits: the job ends a moment after the run.
      await until(`job ${jobId} to complete`, () => squeueState(jobId) === 'COMPLETED', 30_000);
      // The run ended first; the job's end is recorded after it.
      await until(`the run to record job ${jobId} as completed`, () => getRun(db, id).slurmState === 'COMPLETED', 30_000);
      expect(await (await fetch(`${url}/runs/${id}`)).text()).toContain(`Slurm job ${jobId} on `);
    }
  }, 330_000);

  it('shows a pending job with its state, and cancelling the run cancels the job', async () => {
    const { db, ids: [id], url } = await slurmServer(1, ['--hold']);
    const jobId = (await until('a job id', () => getRun(db, id!).slurmJobId))!;
    await until('the pending state', () => getRun(db, id!).slurmState?.startsWith('PENDING'));
    expect(await (await fetch(`${url}/runs/${id}`)).text()).toMatch(new RegExp(`Slurm job ${jobId} \\(PENDING`));
    const cancelled = await fetch(`${url}/runs/${id}/cancel`, { method: 'POST', headers: { Origin: url, 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(cancelled.status).toBe(200);
    expect(getRun(db, id!).status).toBe('cancelled');
    await until('scancel', () => squeueState(jobId) === 'CANCELLED', 20_000);
  }, 60_000);

  it('fails a run whose job ended without reporting, with the job state', async () => {
    // Without the environment the job's worker has no token: it exits at once and the job fails.
    const { db, ids: [id] } = await slurmServer(1, ['--export=NONE']);
    const failed = await until('the run to fail', () => getRun(db, id!).status === 'failed' && getRun(db, id!), 60_000);
    expect(failed.error).toMatch(new RegExp(`^Slurm job ${failed.slurmJobId} ended FAILED .*without reporting the run's end .*never claimed`));
  }, 90_000);

  it("records a job scancelled by an administrator as an interruption with the job's state, not as cancelled by the user", async () => {
    const { db, ids: [id] } = await slurmServer(1, ['--cpus-per-task=1'], 200);
    await until('an epoch', () => epochHistory(db, id!).length > 0, 240_000);
    const { slurmJobId } = getRun(db, id!);
    // As an administrator or the scheduler would: Slurm sends the job's worker SIGTERM.
    execFileSync('scancel', [slurmJobId!]);
    const failed = await until('the run to end', () => getRun(db, id!).status === 'failed' && getRun(db, id!), 60_000);
    expect(failed.error).toMatch(new RegExp(`^interrupted by SIGTERM .*; Slurm job ${slurmJobId} is [A-Z]+`));
    expect(failed.error).not.toMatch(/cancelled by the user/);
    expect(runAttemptHistory(db, id!)).toMatchObject([{ outcome: 'failed' }]);
    expect(epochHistory(db, id!).length).toBeGreaterThan(0);
  }, 330_000);

  it("quotes sbatch's refusal as Slurm wrote it, its name once", async () => {
    const refused = sbatch('#!/bin/sh\ntrue\n', ['--partition=no-such-partition'], process.env);
    await expect(refused).rejects.toThrow(/^sbatch: error: .*partition/);
  }, 30_000);
});

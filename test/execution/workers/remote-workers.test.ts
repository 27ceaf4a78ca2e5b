import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { createRun, epochHistory, getRun, listRuns } from '../../../src/store/store.ts';
import { runAttemptHistory } from '../../../src/store/run-attempts.ts';
import { createToken } from '../../../src/store/worker-tokens.ts';
import { smallRunParams } from '../../helpers/db.ts';
import { startServer } from '../../helpers/e2e.ts';
import { exited, until } from '../../helpers/waiting.ts';

const BIN = path.resolve('bin/digitlab.js');
const started: ChildProcess[] = [];

function digitlab(args: string[], cwd = process.cwd()): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DIGITLAB_DB: '' } });
  started.push(child);
  return child;
}

async function serve(db: string, extra: string[] = []): Promise<{ server: ChildProcess; url: string }> {
  const served = await startServer({ db, args: ['--max-concurrent', '0', ...extra] });
  started.push(served.server);
  return served;
}

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

const tiny = (seed: number, epochs = 1) => smallRunParams({ seed, epochs, trainLimit: 800, testLimit: 200 });

describe('remote workers', () => {
  it('two workers in other directories, with only --server and --token, complete four queued runs, one worker each', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-workers-')), 'runs.sqlite');
    const db = openDb(file);
    const tokens = ['worker-a', 'worker-b'].map((name) => createToken(db, name).token);
    const ids = [1, 2, 3, 4].map((seed) => createRun(db, { name: `remote ${seed}`, params: tiny(seed) }).id);
    const { server, url } = await serve(file);
    const queuedAt = Date.now();
    const workers = tokens.map((token) => digitlab(['worker', '--server', url, '--token', token], mkdtempSync(path.join(os.tmpdir(), 'digitlab-worker-dir-'))));
    // Generous: on a 2-core machine loaded by other processes, starting two workers alone has taken over 90 s.
    const firstEpoch = await until('a first epoch', () => ids.some((id) => epochHistory(db, id).length > 0) && Date.now(), 240_000);
    console.log(`queue to first epoch on a remote worker: ${((firstEpoch - queuedAt) / 1000).toFixed(1)} s (worker start included)`);
    await until('four completed runs', () => ids.every((id) => getRun(db, id).status === 'completed'), 360_000);
    for (const id of ids) {
      const attempts = runAttemptHistory(db, id);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toMatchObject({ outcome: 'completed', host: os.hostname() });
      expect(getRun(db, id)).toMatchObject({ source: 'worker', host: os.hostname() });
      const page = await (await fetch(`${url}/runs/${id}`)).text();
      expect(page).toContain(`remote worker ${attempts[0]!.worker}`);
    }
    workers.forEach((w) => w.kill('SIGTERM'));
    server.kill('SIGTERM');
    await Promise.all([...workers, server].map(exited));
    db.$client.close();
  }, 420_000);

  it('a worker killed mid-run loses its lease: the run fails with the reason and keeps its epochs', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-workers-')), 'runs.sqlite');
    const db = openDb(file);
    const { token } = createToken(db, 'doomed');
    const run = createRun(db, { name: 'killed', params: smallRunParams({ seed: 5, epochs: 30, trainLimit: 800, testLimit: 200 }) });
    const { server, url } = await serve(file, ['--lease-seconds', '10']);
    const worker = digitlab(['worker', '--server', url, '--token', token]);
    await until('an epoch', () => epochHistory(db, run.id).length > 0, 240_000);
    worker.kill('SIGKILL');
    const failed = await until('the lease to expire', () => (getRun(db, run.id).status === 'failed' ? getRun(db, run.id) : undefined), 45_000);
    expect(failed.error).toMatch(/stopped reporting: its lease expired/);
    expect(epochHistory(db, run.id).length).toBeGreaterThan(0);
    server.kill('SIGTERM');
    await exited(server);
    db.$client.close();
  }, 300_000);

  it('a worker waits out a server restart and completes its run', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-workers-')), 'runs.sqlite');
    const db = openDb(file);
    const { token } = createToken(db, 'patient');
    const run = createRun(db, { name: 'survives', params: smallRunParams({ seed: 6, epochs: 4, trainLimit: 800, testLimit: 200 }) });
    const first = await serve(file, ['--lease-seconds', '5']);
    const port = new URL(first.url).port;
    const worker = digitlab(['worker', '--server', first.url, '--token', token, '--once']);
    await until('training to start', () => getRun(db, run.id).status === 'running');
    first.server.kill('SIGTERM');
    await exited(first.server);
    await new Promise((r) => setTimeout(r, 1500));
    const second = digitlab(['serve', '--port', port, '--db', file, '--max-concurrent', '0', '--lease-seconds', '5']);
    expect(await exited(worker)).toBe(0);
    expect(getRun(db, run.id).status).toBe('completed');
    expect(epochHistory(db, run.id)).toHaveLength(4);
    expect(listRuns(db)).toHaveLength(1);
    second.kill('SIGTERM');
    await exited(second);
    db.$client.close();
  }, 180_000);

  it('a worker sent SIGTERM mid-run under serve --retry 1 leaves the run queued again, and another worker completes it', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-workers-')), 'runs.sqlite');
    const db = openDb(file);
    const [first, second] = ['interrupted-worker', 'next-worker'].map((name) => createToken(db, name).token);
    const run = createRun(db, { name: 'outlives a scheduler', params: smallRunParams({ seed: 7, epochs: 4, trainLimit: 1600, testLimit: 200 }) });
    const { server, url } = await serve(file, ['--retry', '1']);
    const interrupted = digitlab(['worker', '--server', url, '--token', first!]);
    await until('an epoch', () => epochHistory(db, run.id).length > 0, 240_000);
    interrupted.kill('SIGTERM');
    expect(await exited(interrupted)).toBe(1);
    expect(getRun(db, run.id)).toMatchObject({ status: 'queued', error: expect.stringMatching(/^attempt 1: interrupted by SIGTERM.*; queued again$/) });
    const next = digitlab(['worker', '--server', url, '--token', second!, '--once']);
    expect(await exited(next)).toBe(0);
    expect(getRun(db, run.id)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(runAttemptHistory(db, run.id).map((a) => [a.worker, a.outcome])).toEqual([
      ['interrupted-worker', 'requeued'],
      ['next-worker', 'completed'],
    ]);
    expect(epochHistory(db, run.id)).toHaveLength(4);
    server.kill('SIGTERM');
    await exited(server);
    db.$client.close();
  }, 360_000);

  it('without --retry, SIGTERM fails the run naming the interruption, while SIGINT still cancels it', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-workers-')), 'runs.sqlite');
    const db = openDb(file);
    const tokens = ['terminated', 'interrupted-by-a-person'].map((name) => createToken(db, name).token);
    const ids = [8, 9].map((seed) => createRun(db, { name: `stopped ${seed}`, params: smallRunParams({ seed, epochs: 30, trainLimit: 800, testLimit: 200 }) }).id);
    const { server, url } = await serve(file);
    const [terminated, cancelled] = tokens.map((token) => digitlab(['worker', '--server', url, '--token', token]));
    await until('an epoch of both runs', () => ids.every((id) => epochHistory(db, id).length > 0), 240_000);
    const workerOf = (token: string) => (runAttemptHistory(db, ids[0]!)[0]!.worker === token ? ids[0]! : ids[1]!);
    terminated!.kill('SIGTERM');
    cancelled!.kill('SIGINT');
    await Promise.all([terminated!, cancelled!].map(exited));
    const failed = getRun(db, workerOf('terminated'));
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted by SIGTERM/) });
    expect(failed.error).not.toMatch(/cancelled by the user/);
    expect(epochHistory(db, failed.id).length).toBeGreaterThan(0);
    expect(getRun(db, workerOf('interrupted-by-a-person'))).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
    server.kill('SIGTERM');
    await exited(server);
    db.$client.close();
  }, 300_000);
});

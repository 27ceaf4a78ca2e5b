import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { createToken, revokeToken } from '../../src/store/worker-tokens.ts';
import { createRun, getRun } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { startServer } from '../helpers/e2e.ts';
import { exited, until } from '../helpers/waiting.ts';

const BIN = path.resolve('bin/digitlab.js');
const started: ChildProcess[] = [];

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

/** `digitlab ...args` with `env` added; resolves its exit code and stderr once it exits. */
function digitlab(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DIGITLAB_DB: '', DIGITLAB_TOKEN: '', ...env } });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return { child, done: exited(child).then((code) => ({ code, stdout, stderr })) };
}

/** An empty store served on loopback, and a worker token for it. */
async function emptyServer() {
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-worker-cli-')), 'runs.sqlite');
  const store = openDb(db);
  const { token } = createToken(store, 'cli-worker');
  store.$client.close();
  const { server, url } = await startServer({ db, args: ['--max-concurrent', '0'] });
  started.push(server);
  return { url, token, db };
}

describe('digitlab worker', () => {
  it('takes its token from $DIGITLAB_TOKEN or --token-file, off the command line', async () => {
    const { url, token } = await emptyServer();
    const fromEnv = await digitlab(['worker', '--server', url, '--once'], { DIGITLAB_TOKEN: token }).done;
    expect(fromEnv).toMatchObject({ code: 0, stderr: expect.stringContaining('nothing is queued') });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-token-')), 'token');
    writeFileSync(file, `${token}\n`);
    chmodSync(file, 0o600);
    const fromFile = await digitlab(['worker', '--server', url, '--once', '--token-file', file]).done;
    expect(fromFile).toMatchObject({ code: 0, stderr: expect.stringContaining('nothing is queued') });
    const missing = await digitlab(['worker', '--server', url, '--once', '--token-file', `${file}.absent`]).done;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--token-file ${file}.absent cannot be read (ENOENT)`);
  }, 60_000);

  it('says in its help that --token shows in the process list', async () => {
    const { code, stdout } = await digitlab(['worker', '--help']).done;
    expect(code).toBe(0);
    expect(stdout).toMatch(/--token TOKEN +the token itself; it shows in the process list/);
    expect(stdout).toContain('--token-file PATH');
    // A worker keeps no store, so its help offers no --db.
    expect(stdout).not.toContain('--db');
  }, 30_000);

  it('stops at SIGTERM while it waits for an unreachable server, not when --retry-for runs out', async () => {
    // Nothing listens on this port (3720-3739 are this checkout's to use).
    const { child, done } = digitlab(['worker', '--server', 'http://127.0.0.1:3738', '--retry-for', '20'], { DIGITLAB_TOKEN: 'dlw_unused' });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await until('the worker to wait', () => stderr.includes('does not answer'), 30_000);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const { code, stderr: all } = await done;
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(code).toBe(1);
    expect(all).toContain('stopped while waiting for the server at http://127.0.0.1:3738');
  }, 60_000);

  it('gives --retry-for to the processes of --slots', async () => {
    const { done } = digitlab(['worker', '--server', 'http://127.0.0.1:3738', '--slots', '2', '--retry-for', '1'], { DIGITLAB_TOKEN: 'dlw_unused' });
    const { code, stderr } = await done;
    expect(code).toBe(1);
    for (const slot of [1, 2]) expect(stderr).toMatch(new RegExp(`\\[slot ${slot}\\] digitlab worker: the server at http://127.0.0.1:3738 has not answered for 1s`));
  }, 30_000);

  it('a worker whose token is revoked mid-run stops, saying it lost the run, not that a person cancelled it', async () => {
    const { url, token, db } = await emptyServer();
    const store = openDb(db);
    const run = createRun(store, { name: 'revoked mid-run', params: smallRunParams({ epochs: 50, trainLimit: 1000, testLimit: 100 }) });
    const { child, done } = digitlab(['worker', '--server', url, '--once'], { DIGITLAB_TOKEN: token });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await until('the claim', () => getRun(store, run.id).status === 'running', 60_000);
    revokeToken(store, 'cli-worker');
    const ended = await done;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(new RegExp(`run ${run.id} failed in .*: lost the run: .*401`));
    expect(ended.stderr).not.toContain('cancelled by the user');
    expect(getRun(store, run.id).error).toMatch(/^token revoked/);
  }, 120_000);
});

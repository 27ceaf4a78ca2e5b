import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

// A process that runs `train` in-process and has an IPC channel that is not the queue's (a test
// runner's fork, say) must keep that channel as it was: unref'ing it lets the process exit while
// its parent still talks to it. The child trains, then answers its parent's ping.
const CHILD = path.resolve('test/fixtures/train-then-answer-parent.mjs');

it('keeps an IPC channel that the queue did not give it: after train, the process still answers its parent', async () => {
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-channel-')), 'runs.sqlite');
  const child = spawn(process.execPath, [CHILD, db], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = `exited (${signal ?? code})`;
      resolve();
    }),
  );
  const trained = await new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`the child exited before training ended:\n${stderr}`)));
  });
  expect(trained, stderr).toEqual({ trained: 0 });
  // Time enough for an unref'd channel to let the idle process go.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(exit, 'the child left while its parent still had a message for it').toBeNull();
  const answer = new Promise((resolve) => child.once('message', resolve));
  child.send('ping');
  expect(await answer).toBe('pong');
  await exited;
});

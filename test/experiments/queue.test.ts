import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { runs } from '../../db/schema.ts';
import { RunNotOwnedError, RunQueue } from '../../src/experiments/queue.ts';
import { createRun, getRun, type Run } from '../../src/experiments/store.ts';
import { memoryDb, smallRunParams } from '../helpers/db.ts';

/** A run that trains in about a second in a worker. */
const tiny = (name: string, epochs = 1) => ({ name, params: smallRunParams({ trainLimit: 300, testLimit: 100, epochs }) });

const fileDb = () => openDb(path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-queue-')), 'runs.sqlite'));

async function waitFor(db: Db, runId: number, done: (run: Run) => boolean, timeoutMs = 60_000): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = getRun(db, runId);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ended = (run: Run) => !['queued', 'running'].includes(run.status);

let queue: RunQueue | undefined;
afterEach(async () => {
  await queue?.stop();
  queue = undefined;
});

describe('the run queue', () => {
  it('only records until started: enqueue queues and cancel cancels a queued run', () => {
    const db = memoryDb();
    queue = new RunQueue({ db });
    const run = queue.enqueue(tiny('waiting'));
    expect(getRun(db, run.id).status).toBe('queued');
    expect(queue.cancel(run.id)).toMatchObject({ status: 'cancelled', error: 'cancelled before it started' });
    expect(queue.cancel(run.id).status).toBe('cancelled');
  });

  it('refuses to signal a run that another process trains', () => {
    const db = memoryDb();
    queue = new RunQueue({ db });
    const run = createRun(db, { ...tiny('in a terminal'), status: 'running' });
    expect(() => queue!.cancel(run.id)).toThrow(RunNotOwnedError);
    expect(getRun(db, run.id).status).toBe('running');
  });

  it('trains queued runs oldest first in worker processes, one at a time by default', async () => {
    const db = fileDb();
    const lines: string[] = [];
    queue = new RunQueue({ db, log: (line) => lines.push(line) });
    const first = queue.enqueue(tiny('first'));
    const second = queue.enqueue(tiny('second'));
    queue.start();
    const a = await waitFor(db, first.id, ended);
    const b = await waitFor(db, second.id, ended);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    expect(a.pid).not.toBe(process.pid);
    expect(b.startedAt!.getTime()).toBeGreaterThanOrEqual(a.finishedAt!.getTime());
    expect(lines.join('\n')).toMatch(/\[run 1\] run 1 completed/);
  });

  it('cancels a running run by signalling its worker, which records the cancellation', async () => {
    const db = fileDb();
    queue = new RunQueue({ db });
    const run = queue.enqueue(tiny('long', 200));
    queue.start();
    await waitFor(db, run.id, (r) => r.progress !== null);
    queue.cancel(run.id);
    expect(await waitFor(db, run.id, ended)).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
  });

  it('on start marks runs of dead processes failed, then trains what is still queued', async () => {
    const db = fileDb();
    const orphan = createRun(db, { ...tiny('orphan'), status: 'running' });
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    db.update(runs).set({ pid: deadPid }).run();
    const waiting = createRun(db, tiny('left queued'));
    queue = new RunQueue({ db, maxConcurrent: 2 });
    queue.start();
    expect(getRun(db, orphan.id).status).toBe('failed');
    expect((await waitFor(db, waiting.id, ended)).status).toBe('completed');
  });

  it('needs a database file its workers can open', () => {
    expect(() => new RunQueue({ db: memoryDb() }).start()).toThrow(/database file/);
  });
});

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { eq } from 'drizzle-orm';
import { runs } from '../../db/schema.ts';
import { SERVER_GONE } from '../../src/cli/run-training.ts';
import { RunNotOwnedError, RunQueue, type RunQueueOptions } from '../../src/execution/queue.ts';
import { createRun, epochHistory, getRun, processIsAlive, type Run } from '../../src/store/store.ts';
import { memoryDb, smallRunParams } from '../helpers/db.ts';
import { exited, until } from '../helpers/waiting.ts';
import { storeOn } from '../../src/store/open-store.ts';
import { CHRT } from '../../src/core/thread-priority.ts';
import { SCHED_IDLE, schedulingOf } from '../helpers/scheduling.ts';

const BIN = path.resolve('bin/digitlab.js');

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

/** The pid of a process that has exited. */
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

/** The `digitlab work` processes this test process has started (a queue's workers), as `pid args` lines. */
const workerLines = () =>
  execFileSync('ps', ['--ppid', String(process.pid), '-o', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => / work \d+ /.test(line));
const workerProcesses = () => workerLines().map((line) => line.trim().replace(/^\d+\s+/, ''));
/** Workers that are node already: chrt execs it once it has set the policy. */
const workerPids = () => workerLines().filter((line) => !/^\s*\d+\s+chrt\b/.test(line)).map((line) => Number(line.trim().split(/\s+/)[0]));

const threadNiceness = (pid: number, tid: number) => schedulingOf(pid, tid).nice;

const chrtWorks = spawnSync(CHRT, ['--idle', '0', CHRT, '--version'], { stdio: 'ignore' }).status === 0;

/**
 * A queue on `db` whose runs train at the low priority: the suite's other files keep both cores
 * busy, and a run under SCHED_IDLE waits for them (one waited 90 s for its first epoch in CI). The
 * default, SCHED_IDLE, is the business of the tests that name it.
 */
const queueOn = (db: Db, options: Partial<RunQueueOptions> = {}) => new RunQueue({ ...storeOn(db), runPriority: 'low', ...options });

let queue: RunQueue | undefined;
afterEach(async () => {
  await queue?.stop();
  queue = undefined;
});

describe('the run queue', () => {
  it('only records until started: enqueue queues and cancel cancels a queued run', async () => {
    const db = memoryDb();
    queue = queueOn(db);
    const run = await queue.enqueue(tiny('waiting'));
    expect(getRun(db, run.id).status).toBe('queued');
    expect(await queue.cancel(run.id)).toMatchObject({ status: 'cancelled', error: 'cancelled before it started' });
    expect((await queue.cancel(run.id)).status).toBe('cancelled');
  });

  it('refuses to signal a run that another process trains', async () => {
    const db = memoryDb();
    queue = queueOn(db);
    const run = createRun(db, { ...tiny('in a terminal'), status: 'running' });
    await expect(queue.cancel(run.id)).rejects.toThrow(RunNotOwnedError);
    expect(getRun(db, run.id).status).toBe('running');
  });

  it('trains queued runs oldest first in worker processes, one at a time by default', async () => {
    const db = fileDb();
    const lines: string[] = [];
    queue = queueOn(db, { log: (line) => lines.push(line) });
    const first = await queue.enqueue(tiny('first'));
    const second = await queue.enqueue(tiny('second'));
    queue.start();
    const a = await waitFor(db, first.id, ended);
    const b = await waitFor(db, second.id, ended);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    expect(a.pid).not.toBe(process.pid);
    expect(b.startedAt!.getTime()).toBeGreaterThanOrEqual(a.finishedAt!.getTime());
    expect(lines.join('\n')).toMatch(/\[run 1\] run 1 completed/);
  });

  it('trains at a lower nice value where chrt is missing, and says so once', async () => {
    const db = fileDb();
    const lines: string[] = [];
    queue = queueOn(db, { log: (line) => lines.push(line), chrt: '/nonexistent/chrt', runPriority: 'idle' });
    const runs = [await queue.enqueue(tiny('no chrt')), await queue.enqueue(tiny('still none'))];
    queue.start();
    for (const run of runs) expect((await waitFor(db, run.id, ended)).status).toBe('completed');
    expect(lines.filter((line) => /SCHED_IDLE/.test(line))).toEqual([expect.stringMatching(/cannot set SCHED_IDLE here: runs train at a lower nice value/)]);
  });

  it('trains under SCHED_IDLE by default, so a page request never waits for a training thread', async () => {
    const db = fileDb();
    queue = queueOn(db, { runPriority: 'idle' });
    await queue.enqueue(tiny('idle', 200));
    queue.start();
    // chrt sets the policy before it becomes the worker: no training has to happen to see it, and the
    // threads the worker starts (its training replicas) inherit it.
    const pid = await until('the worker process', () => workerPids()[0]);
    if (chrtWorks) expect(schedulingOf(pid, pid).policy).toBe(SCHED_IDLE);
  });

  it('cancels a running run by signalling its worker, which records the cancellation', async () => {
    const db = fileDb();
    queue = queueOn(db);
    const run = await queue.enqueue(tiny('long', 200));
    queue.start();
    const { pid } = await waitFor(db, run.id, (r) => r.progress !== null);
    // At --run-priority low it trains at nice 5, below the server, its replica threads too, and not under
    // SCHED_IDLE: a busy machine's other programs share the cores with it instead of starving it.
    const trainingNice = Math.max(5, os.getPriority());
    expect(threadNiceness(pid!, pid!)).toBe(trainingNice);
    expect(readdirSync(`/proc/${pid}/task`).filter((tid) => threadNiceness(pid!, Number(tid)) === trainingNice).length).toBeGreaterThanOrEqual(3);
    expect(readdirSync(`/proc/${pid}/task`).some((tid) => schedulingOf(pid!, Number(tid)).policy === SCHED_IDLE)).toBe(false);
    // Until the worker records it, the run says a cancel was asked for (its page shows that, not a Cancel button).
    expect(await queue.cancel(run.id)).toMatchObject({ status: 'running', cancelRequested: true });
    expect(await waitFor(db, run.id, ended)).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
  });

  it('on its own SIGTERM (a service manager stopping serve) interrupts what trains: queued again under --retry, else failed with the cause', async () => {
    for (const retries of [1, 0]) {
      const db = fileDb();
      const stopping = queueOn(db, { retries });
      const run = await stopping.enqueue(tiny('stopped with the server', 200));
      stopping.start();
      await waitFor(db, run.id, (r) => r.progress !== null, 110_000);
      await stopping.stop('SIGTERM');
      const after = getRun(db, run.id);
      if (retries > 0) expect(after).toMatchObject({ status: 'queued', error: expect.stringMatching(/^attempt 1: interrupted by SIGTERM.*queued again$/) });
      else expect(after).toMatchObject({ status: 'failed', error: expect.stringMatching(/^interrupted by SIGTERM/) });
      expect(after.error).not.toMatch(/cancelled by the user/);
    }
  });

  it('queues again a run whose worker is interrupted (SIGTERM) while serve --retry allows, and trains it to the end', async () => {
    const db = fileDb();
    queue = queueOn(db, { retries: 1 });
    const run = await queue.enqueue(tiny('interrupted once', 3));
    queue.start();
    const { pid } = await waitFor(db, run.id, (r) => r.progress !== null);
    process.kill(pid!, 'SIGTERM');
    const completed = await waitFor(db, run.id, ended, 120_000);
    expect(completed).toMatchObject({ status: 'completed', attempts: 2 });
    expect(completed.pid).not.toBe(pid);
  });

  it('on start marks runs of dead processes failed, then trains what is still queued', async () => {
    const db = fileDb();
    const orphan = createRun(db, { ...tiny('orphan'), status: 'running' });
    db.update(runs).set({ pid: deadPid() }).run();
    const waiting = createRun(db, tiny('left queued'));
    queue = queueOn(db, { maxConcurrent: 2 });
    queue.start();
    expect(getRun(db, orphan.id).status).toBe('failed');
    expect((await waitFor(db, waiting.id, ended)).status).toBe('completed');
  });

  it('re-checks dead runs on every poll, and counts live runs of other processes against its limit', async () => {
    const db = fileDb();
    queue = queueOn(db, { pollMs: 100 });
    queue.start();
    // An earlier server's orphaned worker, still alive.
    const orphanProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    const orphan = createRun(db, { ...tiny('orphan of an earlier server'), status: 'running' });
    db.update(runs).set({ pid: orphanProcess.pid }).where(eq(runs.id, orphan.id)).run();
    const waiting = await queue.enqueue(tiny('waits for a free slot'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(workerProcesses()).toEqual([]);
    expect(getRun(db, waiting.id).status).toBe('queued');
    orphanProcess.kill('SIGKILL');
    await exited(orphanProcess);
    expect(await waitFor(db, orphan.id, ended, 5000)).toMatchObject({ status: 'failed', error: expect.stringMatching(/training process \(pid \d+\) died/) });
    // Its slot is free: the run starts (how it trains is the other tests' business).
    await waitFor(db, waiting.id, (r) => r.status !== 'queued');
  });

  it('marks failed, rather than refusing, a cancelled run whose process is dead', async () => {
    const db = memoryDb();
    queue = queueOn(db);
    const run = createRun(db, { ...tiny('its process died'), status: 'running' });
    db.update(runs).set({ pid: deadPid() }).run();
    expect(await queue.cancel(run.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/training process \(pid \d+\) died/) });
  });

  it('stops a worker that answers no signal with SIGKILL after the grace time', async () => {
    const db = fileDb();
    const stopping = queueOn(db, { stopGraceMs: 500 });
    const run = await stopping.enqueue(tiny('stuck', 200));
    stopping.start();
    // A worker's first batch took over 60 s at load 12.
    const { pid } = await waitFor(db, run.id, (r) => r.progress !== null, 110_000);
    // As if stuck in one long computation: SIGTERM waits, SIGKILL does not.
    process.kill(pid!, 'SIGSTOP');
    await stopping.stop();
    expect(processIsAlive(pid!)).toBe(false);
    expect(getRun(db, run.id)).toMatchObject({ status: 'cancelled', error: 'cancelled by the user' });
  });

  it('has its workers cancel themselves when the server is killed -9, keeping their epochs', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-queue-')), 'runs.sqlite');
    const db = openDb(file);
    const run = createRun(db, tiny('outlives its server', 200));
    const server = spawn(process.execPath, [BIN, 'serve', '--db', file, '--port', '0', '--run-priority', 'low'], { stdio: 'ignore' });
    await until('the first epoch', () => epochHistory(db, run.id).length > 0);
    server.kill('SIGKILL');
    await exited(server);
    const { pid } = getRun(db, run.id);
    const cancelled = await waitFor(db, run.id, ended, 30_000);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: SERVER_GONE });
    expect(epochHistory(db, run.id).length).toBeGreaterThan(0);
    await until('the worker to exit', () => !processIsAlive(pid!), 10_000);
  });

  it('needs a database file its workers can open', () => {
    expect(() => new RunQueue(storeOn(memoryDb())).start()).toThrow(/database file/);
  });
});

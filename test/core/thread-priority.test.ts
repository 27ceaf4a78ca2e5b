import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CHRT, IdleLauncher } from '../../src/core/thread-priority.ts';
import { SCHED_IDLE, SCHED_OTHER, threadScheduling } from '../helpers/scheduling.ts';


/** Runs idleThisThread in a thread of its own and returns that thread's scheduling, read from /proc. */
function schedulingOfAnIdledThread(chrt?: string): Promise<{ policy: number; nice: number }> {
  const loader = path.resolve('src/core/typescript-loader.mjs');
  const module = path.resolve('src/core/thread-priority.ts');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { readFileSync } = require('node:fs');
    import(${JSON.stringify(loader)}).then(() => import(${JSON.stringify(module)})).then((m) => {
      m.idleThisThread(10, ...(workerData ? [workerData] : []));
      parentPort.postMessage(readFileSync('/proc/thread-self/stat', 'utf8'));
    });`;
  return new Promise<{ policy: number; nice: number }>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: chrt });
    worker.once('message', (stat: string) => resolve(threadScheduling(stat)));
    worker.once('error', reject);
  });
}

const chrtWorks = spawnSync(CHRT, ['--idle', '0', CHRT, '--version'], { stdio: 'ignore' }).status === 0;

describe('thread priority', () => {
  it.runIf(chrtWorks)('puts a background thread under SCHED_IDLE, and only that thread', async () => {
    expect((await schedulingOfAnIdledThread()).policy).toBe(SCHED_IDLE);
    expect(threadScheduling(readFileSync('/proc/thread-self/stat', 'utf8')).policy).toBe(SCHED_OTHER);
  });

  it('nices a background thread where chrt is missing', async () => {
    expect(await schedulingOfAnIdledThread('/nonexistent/chrt')).toEqual({ policy: SCHED_OTHER, nice: 10 });
  });

  it.runIf(chrtWorks)('starts commands under chrt --idle where it works', () => {
    const lines: string[] = [];
    const launcher = new IdleLauncher((line) => lines.push(line));
    const [command, args] = launcher.argv(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/stat', 'utf8'))"]);
    expect(threadScheduling(spawnSync(command, args, { encoding: 'utf8' }).stdout).policy).toBe(SCHED_IDLE);
    expect(lines).toEqual([]);
  });

  it('starts commands as they are where chrt is missing, and says so once', () => {
    const lines: string[] = [];
    const launcher = new IdleLauncher((line) => lines.push(line), '/nonexistent/chrt');
    expect(launcher.argv('node', ['a'])).toEqual(['node', ['a']]);
    expect(launcher.argv('node', ['b'])).toEqual(['node', ['b']]);
    expect(lines).toEqual([expect.stringMatching(/cannot set SCHED_IDLE/)]);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * util-linux's chrt, which sets Linux's SCHED_IDLE policy (unprivileged processes may choose it). A
 * task under SCHED_IDLE gets a core only when no normal task wants it and gives it up the moment one
 * wakes, so a page request starts at once instead of waiting out a training or analysis thread's
 * time slice; no nice value does that (nice 5 and 10 were measured to change nothing). On an idle
 * machine it costs nothing: no one else wants the cores.
 */
export const CHRT = 'chrt';

/** The calling thread's id (Linux), or undefined where /proc is absent. */
function thisThreadsId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lowers the priority of the calling thread only (Linux: setpriority on its thread id), so work a
 * server does in the background (maps, slice discovery, rankings) yields the cores to training
 * processes and to its own event loop. Threads the calling thread starts afterwards inherit it.
 * Elsewhere, and where /proc is absent, it does nothing.
 */
export function lowerThisThreadsPriority(niceness = 10): void {
  const tid = thisThreadsId();
  try {
    if (tid) os.setPriority(tid, Math.max(os.getPriority(tid), niceness));
  } catch {
    // Not allowed: the work runs at the process's priority, as before.
  }
}

/**
 * Puts the calling thread (and the threads it starts afterwards) under SCHED_IDLE: for a server's
 * background work, which must never delay a page. Where `chrt` is missing or refused, the thread is
 * niced to `niceness` instead.
 */
export function idleThisThread(niceness = 10, chrt = CHRT): void {
  const tid = thisThreadsId();
  if (!tid) return;
  try {
    execFileSync(chrt, ['--idle', '-p', '0', String(tid)], { stdio: 'ignore' });
  } catch {
    // No chrt, or the policy is refused (seccomp, another kernel): nice is what is left.
    lowerThisThreadsPriority(niceness);
  }
}

/**
 * Starts commands under SCHED_IDLE (for training processes, whose every thread inherits it), or,
 * where chrt cannot set it, as they are, saying so once through `log`.
 */
export class IdleLauncher {
  private usable: boolean | undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly chrt = CHRT,
  ) {}

  /** The command and arguments that run `command args` under SCHED_IDLE where it can be set. */
  argv(command: string, args: string[]): [string, string[]] {
    return this.available() ? [this.chrt, ['--idle', '0', command, ...args]] : [command, args];
  }

  private available(): boolean {
    if (this.usable === undefined) {
      // chrt may be missing, or the kernel may refuse the policy: try it once on chrt itself.
      this.usable = spawnSync(this.chrt, ['--idle', '0', this.chrt, '--version'], { stdio: 'ignore' }).status === 0;
      if (!this.usable) this.log(`${this.chrt} cannot set SCHED_IDLE here: runs train at a lower nice value instead, and pages may wait for them`);
    }
    return this.usable;
  }
}

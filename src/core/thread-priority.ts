import { readlinkSync } from 'node:fs';
import os from 'node:os';

/**
 * Lowers the priority of the calling thread only (Linux: setpriority on its thread id), so work a
 * server does in the background (maps, slice discovery, rankings) yields the cores to training
 * processes and to its own event loop. Threads the calling thread starts afterwards inherit it.
 * Elsewhere, and where /proc is absent, it does nothing.
 */
export function lowerThisThreadsPriority(niceness = 10): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, Math.max(os.getPriority(tid), niceness));
  } catch {
    // Not Linux, or not allowed: the work runs at the process's priority, as before.
  }
}

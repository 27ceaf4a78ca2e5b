/**
 * How loaded the machine was while a bench measured: other helpers' processes skew the figures,
 * so every bench that prints samples/s also says what share of the machine others used meanwhile.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100;

/** CPU ticks spent by the whole machine and by this process with its children, from /proc. */
function cpuTicks(): { machine: number; ours: number } | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime are fields 14-17 of /proc/self/stat; fields[0] is field 3.
    const ours = fields[11]! + fields[12]! + fields[13]! + fields[14]!;
    return { machine: user! + nice! + system! + irq! + softirq! + steal!, ours };
  } catch {
    return undefined;
  }
}

/** Runs a measurement and reports the share of all cores that other processes used meanwhile. */
export async function measured<T>(run: () => Promise<T> | T): Promise<{ value: T; others: number | undefined }> {
  const before = cpuTicks();
  const start = performance.now();
  const value = await run();
  const after = cpuTicks();
  if (before === undefined || after === undefined) return { value, others: undefined };
  const capacity = ((performance.now() - start) / 1000) * TICKS_PER_SECOND * os.cpus().length;
  const others = (after.machine - before.machine - (after.ours - before.ours)) / capacity;
  return { value, others: Math.min(1, Math.max(0, others)) };
}

export const percent = (share: number | undefined) => (share === undefined ? '?' : `${Math.round(share * 100)}%`);

/** The load averages and the CPU, for a bench's header line. */
export const machineLine = () =>
  `cpu ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;

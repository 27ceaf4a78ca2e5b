import { readFileSync } from 'node:fs';

export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** A thread's policy (field 41) and nice value (field 19) from its stat, counted after the parenthesised name. */
export function threadScheduling(stat: string): { policy: number; nice: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { policy: fields[38]!, nice: fields[16]! };
}

/** The scheduling of thread `tid` of process `pid`, read from /proc. */
export const schedulingOf = (pid: number, tid: number) => threadScheduling(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));

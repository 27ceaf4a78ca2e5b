import { directoryProblem, type Db } from '../../db/client.ts';
import { UsageError } from '../core/command.ts';
import { getRun, type Run } from '../store/store.ts';

/** Resolves a RUN argument to a stored run; an id that is no run's throws RunNotFoundError, which exits 2 like bad usage. */
export function runArgument(db: Db, raw: string): Run {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`RUN must be a run id (a positive whole number); got '${raw}'`);
  return getRun(db, id);
}

/** Makes a directory the command writes into, as a usage error naming the flag and what is in the way. */
export function outputDirectory(flag: string, dir: string): string {
  const problem = directoryProblem(dir);
  if (problem) throw new UsageError(`${flag} ${dir}: ${problem}; give a directory you can write to`);
  return dir;
}

import { DEFAULT_DB_PATH, openDb, type Db } from '../../../db/client.ts';
import { failDeadRuns, RunNotFoundError, getRun, type Run } from '../store.ts';
import { UsageError, type CommandContext, type OptionValues } from './command.ts';

/** Opens the store named by --db, $DIGITLAB_DB or the default, after reaping runs whose process died. */
export function openStoreFor(options: OptionValues, context: CommandContext): Db {
  const db = openDb((options.db as string | undefined) ?? context.env.DIGITLAB_DB ?? DEFAULT_DB_PATH);
  for (const run of failDeadRuns(db)) {
    context.stderr.write(`run ${run.id} (${run.name}) was left running by a process that died; marked failed\n`);
  }
  return db;
}

/** Resolves a RUN argument to a stored run, as a usage error when it is not one. */
export function runArgument(db: Db, raw: string): Run {
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`RUN must be a run id (a positive whole number); got '${raw}'`);
  try {
    return getRun(db, id);
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new UsageError(err.message);
    throw err;
  }
}

export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value)}\n`);
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { canWrite, DEFAULT_DB_PATH, directoryProblem, explainStoreError, openDb, openReadOnly, StoreOpenError, type Db } from '../../db/client.ts';
import { failDeadRuns, RunNotFoundError, getRun, type Run } from './store.ts';
import { UsageError, type CommandContext, type OptionValues } from '../core/command.ts';

/**
 * Opens the store named by --db, $DIGITLAB_DB or the default, after reaping runs whose process
 * died. A new store is announced, since a mistyped path would otherwise start an empty one.
 * A command that only reads (`onlyReads`) opens a store it may not write read-only instead, and
 * then reaps nothing: dead runs keep showing `running` until a writable open marks them.
 */
export function openStoreFor(options: OptionValues, context: CommandContext, { onlyReads = false } = {}): Db {
  const file = storePath(options, context.env);
  const isNew = file !== ':memory:' && !existsSync(file);
  let db: Db;
  try {
    if (onlyReads && !isNew && !canWrite(file)) {
      db = openReadOnly(file);
      context.stderr.write(`digitlab: the run store ${path.resolve(file)} is read-only; reading it without changes\n`);
      return db;
    }
    db = openDb(file);
  } catch (err) {
    if (err instanceof StoreOpenError) throw new UsageError(err.message);
    throw err;
  }
  if (isNew) context.stderr.write(`digitlab: created a new run store at ${path.resolve(file)}\n`);
  for (const run of failDeadRuns(db)) {
    context.stderr.write(`run ${run.id} (${run.name}) was left running by a process that died; marked failed\n`);
  }
  return db;
}

/**
 * A SQLite error met after the store was opened (damage deep in the file, a full disk), as a usage
 * error naming the store and what to do; null for any other error.
 */
export function storeFailure(err: unknown, options: OptionValues, env: NodeJS.ProcessEnv): UsageError | null {
  if (!(err instanceof Database.SqliteError)) return null;
  const explained = explainStoreError(storePath(options, env), err);
  return explained instanceof StoreOpenError ? new UsageError(explained.message) : null;
}

/** --db wins; an empty DIGITLAB_DB counts as unset, but an empty --db is a mistake (it would train into a temporary store). */
function storePath(options: OptionValues, env: NodeJS.ProcessEnv): string {
  const flag = options.db as string | undefined;
  if (flag !== undefined && flag.trim() === '') throw new UsageError("--db must name a file; got ''");
  return flag ?? (env.DIGITLAB_DB || DEFAULT_DB_PATH);
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

/** Makes a directory the command writes into, as a usage error naming what is in the way. */
export function outputDirectory(flag: string, dir: string): string {
  const problem = directoryProblem(dir);
  if (problem) throw new UsageError(`${flag} ${dir}: ${problem}; give a directory you can write to`);
  return dir;
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { canWrite, DEFAULT_DB_PATH, explainStoreError, openDb, openReadOnly, StoreOpenError, type Db } from '../../db/client.ts';
import { failDeadRuns } from './store.ts';
import type { RunStore } from './run-store.ts';
import { sqliteRunStore } from './sqlite-run-store.ts';
import type { CommandContext, OptionValues } from '../core/command.ts';

/**
 * Opens the store named by --db, $DIGITLAB_DB or the default, after reaping runs whose process
 * died. A new store is announced, since a mistyped path would otherwise start an empty one.
 * A command that only reads (`onlyReads`) opens a store it may not write read-only instead, and
 * then reaps nothing: dead runs keep showing `running` until a writable open marks them.
 */
export function openStoreFor(options: OptionValues, context: CommandContext, { onlyReads = false } = {}): Db {
  const file = storePath(options, context.env);
  const isNew = file !== ':memory:' && !existsSync(file);
  if (isNew) refuseMissingDirectory(file, options);
  if (onlyReads && !isNew && !canWrite(file)) {
    const db = openReadOnly(file);
    context.stderr.write(`digitlab: the run store ${path.resolve(file)} is read-only; reading it without changes\n`);
    return db;
  }
  const db = openDb(file);
  if (isNew) context.stderr.write(`digitlab: created a new run store at ${path.resolve(file)}\n`);
  for (const run of failDeadRuns(db)) {
    context.stderr.write(`run ${run.id} (${run.name}) was left running by a process that died; marked failed\n`);
  }
  return db;
}

/** An open store: its reads, on the SQLite handle, and its one writer of runs. */
export interface OpenStore {
  db: Db;
  runs: RunStore;
}

/**
 * The store opened, as openStoreFor does, for a command that writes runs: its reads (`db`) and its
 * one writer (`runs`). This is where the backend is chosen.
 */
export function openRunStoreFor(options: OptionValues, context: CommandContext): OpenStore {
  return storeOn(openStoreFor(options, context));
}

/** The store on a SQLite handle already open (a benchmark's or a test's in memory). */
export function storeOn(db: Db): OpenStore {
  return { db, runs: sqliteRunStore(db) };
}

/**
 * A SQLite error met after the store was opened (damage deep in the file, a full disk), as a
 * StoreOpenError naming the store and what to do; null for any other error.
 */
export function storeFailure(err: unknown, options: OptionValues, env: NodeJS.ProcessEnv): StoreOpenError | null {
  if (!(err instanceof Database.SqliteError)) return null;
  const explained = explainStoreError(storePath(options, env), err);
  return explained instanceof StoreOpenError ? explained : null;
}

/**
 * A store named in a directory that does not exist is most likely a typo, which would otherwise
 * train into a new tree of folders: only the default store's directory, or --create-dirs, is made.
 */
function refuseMissingDirectory(file: string, options: OptionValues): void {
  const dir = path.dirname(path.resolve(file));
  if (existsSync(dir) || file === DEFAULT_DB_PATH || options['create-dirs'] === true) return;
  throw new StoreOpenError(`the directory ${dir} of the run store ${path.resolve(file)} does not exist; check the path, or pass --create-dirs to create it`);
}

/** --db wins; an empty DIGITLAB_DB counts as unset, but an empty --db is a mistake (it would train into a temporary store). */
function storePath(options: OptionValues, env: NodeJS.ProcessEnv): string {
  const flag = options.db as string | undefined;
  if (flag !== undefined && flag.trim() === '') throw new StoreOpenError("--db must name a file; got ''");
  return flag ?? (env.DIGITLAB_DB || DEFAULT_DB_PATH);
}

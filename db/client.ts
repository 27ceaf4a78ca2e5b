import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DB_PATH = 'db/digitlab.sqlite';

// better-sqlite3 reads this once, when its addon loads at the first `new Database`, and only then
// accepts `file:` URIs, which a read-only open needs for `immutable=1` (see openReadOnly). Store
// paths given as plain file names are unaffected.
process.env.SQLITE_USE_URI ??= '1';
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/**
 * A store that cannot be opened; the message names the file and says what to do. Its kind is one of
 * src/core/errors.ts's, given by shape since db/ imports nothing from src/.
 */
export class StoreOpenError extends Error { readonly kind = 'unavailable'; }

/**
 * Opens (creating if needed) the run store and applies pending migrations. WAL lets the web
 * server read while a training process writes; the busy timeout makes concurrent writers wait
 * instead of failing.
 */
export function openDb(file: string = DEFAULT_DB_PATH): Db {
  if (file !== ':memory:' && existsSync(file) && !canWrite(file)) {
    throw new StoreOpenError(
      `the run store ${path.resolve(file)} ${OPEN_ADVICE.SQLITE_READONLY}; this command writes to it ` +
        '(commands that only read, such as runs and show, work on a read-only store)',
    );
  }
  const problem = file === ':memory:' ? null : directoryProblem(path.dirname(path.resolve(file)));
  if (problem) throw new StoreOpenError(`cannot create the run store ${path.resolve(file)}: ${problem}; give --db a path in a directory you can write to`);
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file);
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    migrateOnce(sqlite);
    return drizzle(sqlite, { schema });
  } catch (err) {
    sqlite?.close();
    throw explainStoreError(file, err);
  }
}

/**
 * Opens an existing store for reading only: no migrations, no WAL switch, nothing written, so it
 * works on a read-only filesystem or a store the user may only read. A store whose migrations are
 * behind this code's is refused, since the queries here expect the current tables.
 *
 * SQLite opens a WAL store read-only only if its -shm file exists or can be created; a cleanly
 * closed store has none, and a directory the user may not write cannot get one (SQLite then says
 * "attempt to write a readonly database" or "unable to open"). Then the store is read as a
 * snapshot: the file is copied into memory and opened there. better-sqlite3 is built without URI
 * filenames, so SQLite's `immutable=1` cannot be asked for. The trade-offs: the copy takes memory
 * as large as the file, and it misses whatever a -wal file holds, so a store with a non-empty
 * -wal (a writer has it open, or one died) is refused rather than shown out of date.
 */
export function openReadOnly(file: string): Db {
  let sqlite: Database.Database | undefined;
  try {
    try {
      sqlite = new Database(file, { readonly: true, fileMustExist: true });
      sqlite.pragma('schema_version'); // the first read, where a missing -shm fails
    } catch (err) {
      sqlite?.close();
      const code = (err as { code?: string }).code ?? '';
      if (code !== 'SQLITE_CANTOPEN' && !code.startsWith('SQLITE_READONLY')) throw err;
      sqlite = snapshotOf(file);
    }
    sqlite.pragma('query_only = ON');
    const pending = pendingMigrations(sqlite);
    if (pending > 0) {
      throw new StoreOpenError(
        `the run store ${path.resolve(file)} is read-only and its tables are older than this digitlab's ` +
          `(${pending} migration(s) not applied), so it cannot be read safely; copy it somewhere writable and open the copy once to migrate it`,
      );
    }
    return drizzle(sqlite, { schema });
  } catch (err) {
    sqlite?.close();
    throw explainStoreError(file, err);
  }
}

/** The store's file as an in-memory database of its own (see openReadOnly). */
function snapshotOf(file: string): Database.Database {
  if (existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0) {
    throw new StoreOpenError(
      `the run store ${path.resolve(file)} is read-only and has changes in ${path.resolve(file)}-wal that only a writer can apply; ` +
        'open it once as a user who may write it (or copy the store and its -wal somewhere writable)',
    );
  }
  const bytes = readFileSync(file);
  // Bytes 18 and 19 say "WAL" (2); an in-memory database has no WAL, so they are set to rollback (1).
  if (bytes.length >= 20) bytes[18] = bytes[19] = 1;
  return new Database(bytes, { readonly: true });
}

/** Whether this process may write the store and its directory (SQLite creates -wal and -shm files beside it). */
export function canWrite(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    accessSync(path.dirname(path.resolve(file)), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function pendingMigrations(sqlite: Database.Database): number {
  const recorded = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE name = '__drizzle_migrations'").get();
  const last = recorded ? (sqlite.prepare('SELECT max(created_at) FROM "__drizzle_migrations"').pluck().get() as number | null) : null;
  return readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).filter((m) => last === null || Number(last) < m.folderMillis).length;
}

/**
 * drizzle's migrator reads which migrations are applied before its deferred transaction, so two
 * processes creating the same new store both try to create every table, and the second fails
 * with "already exists". This applies the same migrations, recorded in drizzle's own table, but
 * reads and writes inside one immediate transaction: the second process waits for the first and
 * then finds nothing left to do.
 */
function migrateOnce(sqlite: Database.Database): void {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  sqlite
    .transaction(() => {
      sqlite.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      const last = sqlite.prepare('SELECT max(created_at) FROM "__drizzle_migrations"').pluck().get() as number | null;
      for (const migration of migrations) {
        if (last !== null && Number(last) >= migration.folderMillis) continue;
        for (const statement of migration.sql) sqlite.exec(statement);
        sqlite.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
      }
    })
    .immediate();
}

/**
 * Creates a directory's missing levels one at a time and says what stops it, or null. Node's
 * recursive mkdir spins forever under /proc, and its EEXIST/ENOTDIR do not say which part is wrong.
 */
export function directoryProblem(dir: string): string | null {
  const missing: string[] = [];
  let existing = path.resolve(dir);
  while (!pathKind(existing)) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  if (pathKind(existing) !== 'directory') return `${existing} is not a directory`;
  for (const each of missing) {
    try {
      mkdirSync(each);
    } catch (err) {
      return `cannot create the directory ${each} (${(err as NodeJS.ErrnoException).code})`;
    }
  }
  return null;
}

function pathKind(file: string): 'directory' | 'other' | null {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'other';
  } catch {
    return null;
  }
}

const OPEN_ADVICE: Record<string, string> = {
  SQLITE_NOTADB: 'is not a SQLite database; give --db a digitlab store or a new file name',
  SQLITE_CORRUPT: 'is damaged (database disk image is malformed); restore it from a backup, or give --db a new file name',
  SQLITE_CANTOPEN: 'cannot be opened; check that the path and its directory exist and that you may read and write them',
  SQLITE_READONLY: 'is read-only; make it and its directory writable, or copy it somewhere writable',
  SQLITE_PERM: 'may not be opened; check its permissions',
  SQLITE_FULL: 'cannot grow because the disk is full; free some space, or give --db a store on another disk',
  SQLITE_IOERR: 'could not be read or written (an I/O error); check the disk it is on',
};

/** A SQLite error on the store, as a StoreOpenError naming the file and what to do; other errors unchanged. */
export function explainStoreError(file: string, err: unknown): unknown {
  if (err instanceof StoreOpenError) return err;
  const code = (err as { code?: string }).code ?? '';
  const advice = OPEN_ADVICE[code] ?? OPEN_ADVICE[code.replace(/_[A-Z]+$/, '')];
  if (!advice) return err;
  return new StoreOpenError(`the run store ${path.resolve(file)} ${advice} (${(err as Error).message})`);
}

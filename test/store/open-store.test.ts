import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { createRun, getRun, setNote } from '../../src/store/store.ts';
import { smallRunParams } from '../helpers/db.ts';
import { outputDirectory } from '../../src/cli/arguments.ts';
import { runCliCaptured } from '../helpers/cli.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'digitlab-store-option-'));

describe('choosing and opening the run store', () => {
  it("refuses --db '' with exit 2 and treats an empty DIGITLAB_DB as unset", async () => {
    const refused = await runCliCaptured(['runs', '--db', '']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--db must name a file/);

    const cwd = process.cwd();
    const dir = tempDir();
    process.chdir(dir);
    try {
      const listed = await runCliCaptured(['runs', '--json'], { DIGITLAB_DB: '' });
      expect(listed.code).toBe(0);
      expect(existsSync(path.join(dir, 'db', 'digitlab.sqlite'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a store in a directory that does not exist with exit 2 naming it, creating nothing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'typo', 'runs.sqlite');
    const refused = await runCliCaptured(['runs', '--db', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the directory ${path.join(dir, 'typo')} of the run store ${file} does not exist`);
    expect(refused.stderr).toContain('--create-dirs');
    expect(existsSync(path.join(dir, 'typo'))).toBe(false);
  });

  it('says on stderr when it creates a new store, and only then', async () => {
    const file = path.join(tempDir(), 'typo', 'runs.sqlite');
    const first = await runCliCaptured(['runs', '--db', file, '--create-dirs']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`created a new run store at ${file}`);
    const again = await runCliCaptured(['runs', '--db', file]);
    expect(again.stderr).not.toContain('created');
  });

  it.each([
    ['a parent that is a file', (dir: string) => (writeFileSync(path.join(dir, 'notdb.txt'), 'x'), path.join(dir, 'notdb.txt', 'x.sqlite')), /is not a directory/],
    ['a file that is not a database', (dir: string) => (writeFileSync(path.join(dir, 'notes.txt'), 'hello '.repeat(200)), path.join(dir, 'notes.txt')), /is not a SQLite database/],
    ['a damaged database', (dir: string) => damagedStore(dir), /is damaged/],
    ['a directory under /proc', () => `/proc/digitlab-${process.pid}/db.sqlite`, /cannot create the directory/],
    ['a directory given as the store (unable to open database file)', (dir: string) => (mkdirSync(path.join(dir, 'runs')), path.join(dir, 'runs')), /cannot be opened; check that the path/],
  ])('exits 2 naming the file and what to do for %s', async (_what, makePath, message) => {
    const file = makePath(tempDir());
    // --create-dirs: the /proc case gets as far as trying to make its directory.
    const result = await runCliCaptured(['runs', '--db', file, '--create-dirs']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(file);
  });

  it('exits 2 naming the file when the damage is met only while reading, after the store opened', async () => {
    const file = path.join(tempDir(), 'runs.sqlite');
    const db = openDb(file);
    const run = createRun(db, { name: 'noted', params: smallRunParams() });
    setNote(db, run.id, 'a long note '.repeat(20_000)); // overflow pages at the end of the file
    db.$client.pragma('wal_checkpoint(TRUNCATE)');
    db.$client.close();
    const garbage = Buffer.alloc(8 * 4096, 0xa5);
    const fd = openSync(file, 'r+');
    writeSync(fd, garbage, 0, garbage.length, statSync(file).size - garbage.length);
    closeSync(fd);

    openDb(file).$client.close(); // opening does not reach the damage; reading the run does
    const shown = await runCliCaptured(['show', String(run.id), '--db', file]);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toContain(`the run store ${file} is damaged`);
    expect(shown.stderr).toMatch(/restore it from a backup/);
  });

  it('makes an output directory, or says what is in the way (export DIR, predict --steps DIR)', () => {
    const dir = tempDir();
    expect(outputDirectory('DIR', path.join(dir, 'a', 'b'))).toBe(path.join(dir, 'a', 'b'));
    expect(existsSync(path.join(dir, 'a', 'b'))).toBe(true);
    writeFileSync(path.join(dir, 'file'), 'x');
    expect(() => outputDirectory('DIR', path.join(dir, 'file'))).toThrow(`DIR ${path.join(dir, 'file')}: ${path.join(dir, 'file')} is not a directory`);
    expect(() => outputDirectory('--steps', `/proc/digitlab-${process.pid}/steps`)).toThrow(/cannot create the directory/);
  });
});

// A truly read-only filesystem, since root ignores file modes: a private mount namespace in which
// the store's directory is bind-mounted onto itself read-only.
const mountsAllowed = spawnSync('unshare', ['-m', 'true']).status === 0;

describe('a store on a read-only filesystem', () => {
  it.skipIf(!mountsAllowed)('is read by runs and show without changes, refused with exit 2 by commands that write, and refused if its tables are behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'runs.sqlite');
    const db = openDb(file);
    createRun(db, { name: 'kept', params: smallRunParams() });
    const orphan = createRun(db, { name: 'orphan', params: smallRunParams(), status: 'running' });
    db.$client.prepare('update runs set pid = 999999999 where id = ?').run(orphan.id); // a process that is gone
    db.$client.close(); // cleanly closed: no -wal or -shm file, which is what a read-only open must cope with
    expect(existsSync(`${file}-shm`)).toBe(false);
    const older = olderStore(path.join(dir, 'older.sqlite'));

    const invocations = {
      runs: ['runs', '--json', '--db', file],
      show: ['show', String(orphan.id), '--json', '--db', file],
      delete: ['delete', String(orphan.id), '--db', file],
      older: ['runs', '--db', older],
      new: ['runs', '--db', `${dir}/new.sqlite`],
    };
    const script = `mount --bind ${dir} ${dir} && mount -o remount,bind,ro ${dir} && exec "$0" test/helpers/cli-batch.mjs "$1"`;
    const shell = spawnSync('unshare', ['-m', 'sh', '-c', script, process.execPath, JSON.stringify(invocations)], { encoding: 'utf8', timeout: 240_000, killSignal: 'SIGKILL' });
    expect(shell.status, shell.stderr).toBe(0);
    const results = JSON.parse(shell.stdout) as Record<keyof typeof invocations, { code: number; stdout: string; stderr: string }>;
    const result = (name: keyof typeof invocations) => results[name];

    const runs = result('runs');
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout.trim().split('\n').at(-1)!).runs.map((r: { name: string }) => r.name).sort()).toEqual(['kept', 'orphan']);
    expect(runs.stderr).toContain(`${file} is read-only`);
    const show = result('show');
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout.trim().split('\n').at(-1)!)).toMatchObject({ name: 'orphan', status: 'running' }); // not reaped: nothing is written

    const deleted = result('delete');
    expect(deleted.code).toBe(2);
    expect(deleted.stderr).toContain(`the run store ${file} is read-only`);
    expect(deleted.stderr).toMatch(/copy it somewhere writable/);
    const behind = result('older');
    expect(behind.code).toBe(2);
    expect(behind.stderr).toMatch(/older\.sqlite is read-only and its tables are older than this digitlab's \(1 migration\(s\) not applied\)/);
    const created = result('new');
    expect(created.code).toBe(2);
    expect(created.stderr).toContain(`${dir}/new.sqlite`);

    const after = openDb(file); // writable again outside the namespace: the orphan is still there to be reaped
    expect(getRun(after, orphan.id).status).toBe('running');
    after.$client.close();
  }, 300_000);
});

// A user who may read the store but not write it or its directory: root, running this, ignores file
// modes, so the CLI runs as nobody.
const asNobody = (args: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, ...args], { encoding: 'utf8', timeout: 240_000 });
const nobodyAvailable = process.getuid?.() === 0 && asNobody(['-e', '0']).status === 0;

describe('a store in a directory its user may not write', () => {
  it.skipIf(!nobodyAvailable)('is read by runs and show, as the message for writing commands promises', () => {
    const dir = tempDir();
    chmodSync(dir, 0o755); // readable by all, writable by its owner (root) only
    const file = path.join(dir, 'runs.sqlite');
    const db = openDb(file);
    const run = createRun(db, { name: 'shared', params: smallRunParams() });
    db.$client.close(); // cleanly closed: no -shm, and nobody cannot create one
    const invocations = { runs: ['runs', '--json', '--db', file], show: ['show', String(run.id), '--json', '--db', file], delete: ['delete', String(run.id), '--db', file] };
    const batch = asNobody(['test/helpers/cli-batch.mjs', JSON.stringify(invocations)]);
    expect(batch.status, batch.stderr).toBe(0);
    const results = JSON.parse(batch.stdout) as Record<keyof typeof invocations, { code: number; stdout: string; stderr: string }>;
    const last = (name: keyof typeof invocations) => JSON.parse(results[name].stdout.trim().split('\n').at(-1)!);
    expect(results.runs.code, results.runs.stderr).toBe(0);
    expect(last('runs').runs.map((r: { name: string }) => r.name)).toEqual(['shared']);
    expect(results.show.code, results.show.stderr).toBe(0);
    expect(last('show')).toMatchObject({ name: 'shared' });
    expect(results.delete.code).toBe(2);
    expect(results.delete.stderr).toMatch(/commands that only read, such as runs and show, work on a read-only store/);
  }, 300_000);
});

/** A store made by the migrations before the newest one, closed cleanly: what an older digitlab left. */
function olderStore(file: string): string {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.exec('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  for (const migration of readMigrationFiles({ migrationsFolder: 'migrations' }).slice(0, -1)) {
    for (const statement of migration.sql) sqlite.exec(statement);
    sqlite.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
  }
  sqlite.close();
  return file;
}

/** A store whose pages after the first are overwritten with garbage. */
function damagedStore(dir: string): string {
  const file = path.join(dir, 'damaged.sqlite');
  const db = openDb(file);
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.close();
  const garbage = Buffer.alloc(statSync(file).size - 4096, 0xa5);
  const fd = openSync(file, 'r+');
  writeSync(fd, garbage, 0, garbage.length, 4096);
  closeSync(fd);
  return file;
}

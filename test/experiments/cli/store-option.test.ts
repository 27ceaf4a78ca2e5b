import { closeSync, existsSync, mkdtempSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { outputDirectory } from '../../../src/experiments/cli/store-option.ts';
import { runCliCaptured } from '../../helpers/cli.ts';

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

  it('says on stderr when it creates a new store, and only then', async () => {
    const file = path.join(tempDir(), 'typo', 'runs.sqlite');
    const first = await runCliCaptured(['runs', '--db', file]);
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
  ])('exits 2 naming the file and what to do for %s', async (_what, makePath, message) => {
    const file = makePath(tempDir());
    const result = await runCliCaptured(['runs', '--db', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(file);
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

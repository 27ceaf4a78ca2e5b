import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A store file as the release before the migration `firstMissing` left it: every earlier migration
 * applied and recorded as drizzle records them, so opening it applies `firstMissing` and after to
 * the rows a test puts in. Returns the file and the old store, open for those rows.
 */
export function storeBefore(firstMissing: string): { file: string; old: Database.Database } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-migrate-')), 'old.sqlite');
  const old = new Database(file);
  old.exec('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  const migrations = readMigrationFiles({ migrationsFolder: 'migrations' });
  const before = journalTags().indexOf(firstMissing);
  if (before <= 0) throw new Error(`no migration ${firstMissing} after the first in migrations/meta/_journal.json`);
  for (const migration of migrations.slice(0, before)) {
    for (const statement of migration.sql) old.exec(statement);
    old.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
  }
  return { file, old };
}

function journalTags(): string[] {
  const journal = JSON.parse(readFileSync('migrations/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';

describe('openDb', () => {
  it('applies the generated migrations to a fresh database', () => {
    const db = openDb(':memory:');
    const tables = db.$client
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'confusion_matrices',
      'dataset_pixels',
      'datasets', 'embedding_maps', 'epoch_metrics', 'epoch_scalars', 'held_out_predictions', 'imported_models', 'label_audits',
      'label_decisions', 'model_weights', 'own_digits', 'robustness_results', 'run_attempts', 'run_calibrations', 'run_slice_metrics', 'run_tags', 'runs', 'sweeps',
      'test_embeddings', 'test_predictions', 'train_embeddings', 'upload_chunks', 'worker_tokens',
    ]);
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('creates a file database in WAL mode and reopens it without re-running migrations', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-db-')), 'nested', 'runs.sqlite');
    const first = openDb(file);
    expect(first.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    first.$client.prepare("insert into runs (name, status, created_at, params, seed) values ('kept', 'queued', 0, '{}', 1)").run();
    first.$client.close();
    const again = openDb(file);
    expect(again.$client.prepare('select name from runs').pluck().all()).toEqual(['kept']);
  });

  it('survives a second process creating the same new store at the same moment', async () => {
    // Replays the race drizzle loses: this connection is half-way through the first migration
    // when another process reads "nothing applied" and starts creating the same tables.
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-db-')), 'runs.sqlite');
    const first = new Database(file);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
    first.exec('BEGIN IMMEDIATE');
    for (const migration of readMigrationFiles({ migrationsFolder: 'migrations' })) {
      for (const statement of migration.sql) first.exec(statement);
      first.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
    }
    const second = spawn(process.execPath, ['bin/digitlab.js', 'runs', '--db', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    second.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => second.on('exit', resolve));
    while (second.exitCode === null && !holdsFile(second.pid!, file)) await sleep(50);
    await sleep(500); // it now waits for the write lock, holding its stale reading
    first.exec('COMMIT');
    const code = await exited;
    expect(stderr).not.toMatch(/already exists|Error/);
    expect(code).toBe(0);
    first.close();
  }, 60_000);
});

function holdsFile(pid: number, file: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

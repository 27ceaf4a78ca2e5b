import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
      'confusion_matrices', 'embedding_maps', 'epoch_metrics', 'held_out_predictions', 'imported_models', 'label_audits',
      'label_decisions', 'model_weights', 'own_digits', 'run_attempts', 'run_slice_metrics', 'run_tags', 'runs', 'sweeps', 'test_embeddings', 'test_predictions',
      'upload_chunks', 'worker_tokens',
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
});

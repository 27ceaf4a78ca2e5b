import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, openReadOnly } from '../../db/client.ts';
import { loadImportedModelInThread } from '../../src/store/imported-runs.ts';
import { storeOn } from '../../src/store/open-store.ts';
import { importRun } from '../../src/training/import-run.ts';
import { memoryDb } from '../helpers/db.ts';

const ONNX = path.resolve('test/fixtures/imported/torch-small-cnn.onnx');
const AUTO = { layout: 'auto', scale: 'auto', output: 'auto' } as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'store-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('store work that is long on large rows', () => {
  it('runs on a connection of its own to the store file, opened as the caller opened it', async () => {
    const file = path.join(dir, 'store.sqlite');
    const { db, runs } = storeOn(openDb(file));
    // The run's row and its model file are written by the write thread; the model is read back by the read thread.
    const run = await importRun(runs, { file: ONNX, conventions: AUTO, testLimit: 200 });
    expect(run).toMatchObject({ status: 'completed', source: 'imported' });
    const bytes = readFileSync(ONNX);
    expect((await loadImportedModelInThread(db, run.id))!.modelData!.equals(bytes)).toBe(true);
    db.$client.close();
    // A store opened read-only is read through a read-only connection in the thread too (openReadOnly there).
    const readOnly = openReadOnly(file);
    expect(readOnly.$client).toMatchObject({ readonly: true, memory: false });
    expect((await loadImportedModelInThread(readOnly, run.id))!.modelData!.equals(bytes)).toBe(true);
    readOnly.$client.close();
  }, 120_000);

  it('runs in place on a store in memory, which no second connection can open', async () => {
    const { db, runs } = storeOn(memoryDb());
    const run = await importRun(runs, { file: ONNX, conventions: AUTO, testLimit: 200 });
    expect((await loadImportedModelInThread(db, run.id))!.modelData!.equals(readFileSync(ONNX))).toBe(true);
  }, 120_000);
});

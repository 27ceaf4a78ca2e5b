import { eq, getTableColumns, sql } from 'drizzle-orm';
import os from 'node:os';
import type { Db } from '../../db/client.ts';
import { importedModels, runs } from '../../db/schema.ts';
import { getRun, insertTags, storeTestResults, type Run } from './store.ts';
import type { ImportedRunInput } from './run-store.ts';
import { onStoreThread, serveStoreWork, type StoreWork } from './store-thread.ts';
import { movableBuffer } from '../core/thread-job.ts';

export type ImportedModel = typeof importedModels.$inferSelect;

/** What an imported run records as its params: only what shapes its numbers. */
export interface ImportedParams {
  /** The dataset whose test set it was scored on; absent for MNIST. */
  dataset?: string;
  /** Predictions cover the first N test images (null: all 10,000). */
  testLimit: number | null;
}

/**
 * Records an imported model as a completed run with its test results, in one transaction: a
 * failure anywhere leaves nothing behind.
 */
export function recordImportedRun(db: Db, input: ImportedRunInput): Run {
  const runId = db.transaction((tx) => {
    const now = new Date();
    const [run] = tx
      .insert(runs)
      .values({
        name: input.name,
        status: 'running',
        source: 'imported',
        createdAt: now,
        startedAt: now,
        params: input.params,
        dataset: input.params.dataset ?? 'mnist',
        seed: 0,
        host: os.hostname(),
        ...input.provenance,
      })
      .returning()
      .all();
    insertTags(tx, run!.id, input.tags);
    tx.insert(importedModels).values({ runId: run!.id, ...input.imported }).run();
    storeTestResults(tx, run!.id, input.results);
    return run!.id;
  });
  return getRun(db, runId);
}

/** The imported model whole, file bytes included (tens of MB for a large ONNX file): for running it. */
export function loadImportedModel(db: Db, runId: number): ImportedModel | null {
  return db.select().from(importedModels).where(eq(importedModels.runId, runId)).get() ?? null;
}

const READ_IMPORTED_MODEL: StoreWork<number, ImportedModel | null> = {
  name: 'imported model read',
  script: new URL('./imported-model-read-thread.mjs', import.meta.url),
  perform: loadImportedModel,
  moves: (model) => movableBuffer(model?.modelData),
};

/**
 * loadImportedModel in a thread of its own (onStoreThread): SQLite reads a 50 MB file's blob in
 * about 85 ms, which would hold the server's event loop.
 */
export async function loadImportedModelInThread(db: Db, runId: number): Promise<ImportedModel | null> {
  const model = await onStoreThread(db, READ_IMPORTED_MODEL, runId);
  return model && withModelDataBuffer(model);
}

/** A Buffer crosses threads as a plain Uint8Array: a model's file bytes made a Buffer again, on the same memory. */
export function withModelDataBuffer<T extends Pick<ImportedModel, 'modelData'>>(model: T): T {
  const data = model.modelData;
  return { ...model, modelData: data && Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
}

/** The thread's side of loadImportedModelInThread. */
export const serveImportedModelRead = () => serveStoreWork(READ_IMPORTED_MODEL);

/** How an imported run was made and fed, without its file: what pages show. */
export type ImportedModelFacts = Omit<ImportedModel, 'modelJson' | 'modelData'> & { hasModel: boolean };

const { modelJson: _json, modelData: _data, ...factColumns } = getTableColumns(importedModels);

/**
 * The imported model's facts without reading its file: reading a 50 MB blob takes SQLite about
 * 85 ms, which a page view must not spend on the event loop. typeof() is the test SQLite answers
 * from the row's header; `is not null` reads the whole blob first.
 */
export function loadImportedModelFacts(db: Db, runId: number): ImportedModelFacts | null {
  const row = db
    .select({ ...factColumns, hasModel: sql<number>`typeof(${importedModels.modelData}) <> 'null'` })
    .from(importedModels)
    .where(eq(importedModels.runId, runId))
    .get();
  return row ? { ...row, hasModel: row.hasModel === 1 } : null;
}

import { eq } from 'drizzle-orm';
import os from 'node:os';
import type { Db } from '../../db/client.ts';
import { importedModels, runs } from '../../db/schema.ts';
import { getRun, insertTags, storeTestResults, type Run } from './store.ts';
import type { ImportedRunInput } from './run-store.ts';

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

export function loadImportedModel(db: Db, runId: number): ImportedModel | null {
  return db.select().from(importedModels).where(eq(importedModels.runId, runId)).get() ?? null;
}

import { movableBuffer, runThreadJob } from '../core/thread-job.ts';
import type { Db } from '../../db/client.ts';
import { recordImportedRun, type ImportedModel } from './imported-runs.ts';
import type { ImportedRunInput } from './run-store.ts';
import type { Run } from './store.ts';
import { storeTrackedModel } from './tracked-runs.ts';

/** The writes that carry a model file: an imported run, and a tracked run's model. */
export type ModelFileWrite =
  | { kind: 'imported-run'; input: ImportedRunInput }
  | { kind: 'tracked-model'; run: Run; model: Omit<ImportedModel, 'runId'> };

export type ModelFileWriteMessage = { kind: 'done'; run: Run | null } | { kind: 'failed'; error: string };

/** Does the write on `db`; the imported run's row is its result. */
export function performModelFileWrite(db: Db, write: ModelFileWrite): Run | null {
  if (write.kind === 'imported-run') return recordImportedRun(db, write.input);
  storeTrackedModel(db, write.run, write.model);
  return null;
}

/**
 * Does the write in a thread with its own connection to the store's file. SQLite copies a 50 MB
 * blob into its pages in 100 to 350 ms, which on the server's event loop would hold every page
 * for as long. WAL lets the server keep reading meanwhile; its own writes wait on the busy timeout.
 * A store in memory has no file for a second connection to open: there the write is done in place.
 * The model file's bytes move to the thread: the caller's copy is empty afterwards.
 */
export function writeModelFile(db: Db, write: ModelFileWrite): Promise<Run | null> {
  if (db.$client.memory) return Promise.resolve(performModelFileWrite(db, write));
  return runThreadJob<Run | null, ModelFileWriteMessage>(
    new URL('./model-file-write-thread.mjs', import.meta.url),
    { file: db.$client.name, write },
    'model file write',
    (message, control) => (message.kind === 'done' ? control.resolve(message.run) : control.reject(new Error(message.error))),
    movableBuffer(write.kind === 'imported-run' ? write.input.imported.modelData : write.model.modelData),
  );
}

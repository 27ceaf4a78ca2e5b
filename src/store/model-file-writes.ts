import { movableBuffer } from '../core/thread-job.ts';
import type { Db } from '../../db/client.ts';
import { recordImportedRun, type ImportedModel } from './imported-runs.ts';
import type { ImportedRunInput } from './run-store.ts';
import type { Run } from './store.ts';
import { onStoreThread, serveStoreWork, type StoreWork } from './store-thread.ts';
import { storeTrackedModel } from './tracked-runs.ts';

/** The writes that carry a model file: an imported run, and a tracked run's model. */
export type ModelFileWrite =
  | { kind: 'imported-run'; input: ImportedRunInput }
  | { kind: 'tracked-model'; run: Run; model: Omit<ImportedModel, 'runId'> };

const MODEL_FILE_WRITE: StoreWork<ModelFileWrite, Run | null> = {
  name: 'model file write',
  script: new URL('./model-file-write-thread.mjs', import.meta.url),
  perform(db, write) {
    if (write.kind === 'imported-run') return recordImportedRun(db, write.input);
    storeTrackedModel(db, write.run, write.model);
    return null;
  },
};

/**
 * Does the write on a thread of its own (onStoreThread); the imported run's row is the result. The
 * model file's bytes and the test embeddings move there: a wide penultimate layer's embeddings of
 * 10,000 images run to hundreds of MB, which took 0.7 s to copy.
 */
export function writeModelFile(db: Db, write: ModelFileWrite): Promise<Run | null> {
  const moved = write.kind === 'imported-run' ? [...movableBuffer(write.input.imported.modelData), ...movableBuffer(write.input.results.embeddings)] : movableBuffer(write.model.modelData);
  return onStoreThread(db, MODEL_FILE_WRITE, write, moved);
}

/** The thread's side of writeModelFile. */
export const serveModelFileWrite = () => serveStoreWork(MODEL_FILE_WRITE);

import type { Db } from '../../db/client.ts';
import { selectBackend } from '../training/backend.ts';
import { openRunModel, type RunModel } from '../models/run-model.ts';
import type { Run } from '../store/store.ts';

/** A RUN argument's model, loaded on the best engine; a run without one throws RunHasNoModelError, which exits 2. */
export async function runModelArgument(db: Db, run: Run): Promise<RunModel> {
  await selectBackend('auto');
  return await openRunModel(db, run);
}

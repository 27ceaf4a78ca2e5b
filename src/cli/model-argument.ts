import type { Db } from '../../db/client.ts';
import { selectBackend } from '../training/backend.ts';
import { UsageError } from '../core/command.ts';
import { openRunModel, RunHasNoModelError, type RunModel } from '../models/run-model.ts';
import type { Run } from '../store/store.ts';

/** A RUN argument's model, loaded on the best engine; a run without one is bad usage. */
export async function runModelArgument(db: Db, run: Run): Promise<RunModel> {
  try {
    await selectBackend('auto');
    return await openRunModel(db, run);
  } catch (err) {
    if (err instanceof RunHasNoModelError) throw new UsageError(`${err.message}; explain, calibration --fit and robustness need a trained model`);
    throw err;
  }
}

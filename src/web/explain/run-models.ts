import type { Db } from '../../../db/client.ts';
import { selectBackend } from '../../training/backend.ts';
import { openRunModel, type RunModel } from '../../models/run-model.ts';
import type { Run } from '../../store/store.ts';

/** Models kept loaded: a gallery asks for dozens of maps of one run in a row. */
const KEPT = 3;

/** Loaded run models for the pages' attribution maps, the most recently used few kept. */
export class RunModels {
  private readonly models = new Map<number, Promise<RunModel>>();

  constructor(private readonly db: Db) {}

  async of(run: Run): Promise<RunModel> {
    let model = this.models.get(run.id);
    if (model) {
      this.models.delete(run.id);
    } else {
      model = selectBackend('auto').then(() => openRunModel(this.db, run));
      model.catch(() => this.models.delete(run.id));
    }
    this.models.set(run.id, model);
    for (const [id, oldest] of this.models) {
      if (this.models.size <= KEPT) break;
      this.models.delete(id);
      void oldest.then((m) => m.dispose(), () => {});
    }
    return model;
  }
}

import { DomainError } from '../../core/errors.ts';
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { runs, sweeps } from '../../../db/schema.ts';
import type { Hyperparameters } from '../../training/hyperparameters.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Run } from '../../store/store.ts';

export type Sweep = typeof sweeps.$inferSelect;

export class SweepNotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(readonly sweepId: number) {
    super(`no sweep with id ${sweepId}`);
  }
}

/**
 * Records a sweep and queues one run per entry of `runs`, all or nothing. The runs are ordinary
 * queued runs: whatever trains the queue (`digitlab serve`, `sweep --run-now`) trains them.
 */
export async function launchSweep(
  store: { db: Db; runs: RunStore },
  input: {
    name: string;
    axes: Record<string, (number | string)[]>;
    seeds: number[];
    runs: { name: string; params: Hyperparameters }[];
    tags?: Record<string, string>;
  },
): Promise<{ sweep: Sweep; runs: Run[] }> {
  const { groupId, runs: queued } = await store.runs.createGroup(
    { sweep: { name: input.name, axes: input.axes, seeds: input.seeds } },
    input.runs.map((run) => ({ ...run, tags: input.tags })),
  );
  return { sweep: getSweep(store.db, groupId), runs: queued };
}

export function getSweep(db: Db, sweepId: number): Sweep {
  const sweep = db.select().from(sweeps).where(eq(sweeps.id, sweepId)).get();
  if (!sweep) throw new SweepNotFoundError(sweepId);
  return sweep;
}

/** Newest first, as the runs list. */
export function listSweeps(db: Db): Sweep[] {
  return db.select().from(sweeps).orderBy(desc(sweeps.id)).all();
}

/** In the order they were queued, which is grid order. */
export function sweepRuns(db: Db, sweepId: number): Run[] {
  return db.select().from(runs).where(eq(runs.sweepId, sweepId)).orderBy(asc(runs.id)).all();
}

import { DomainError } from '../core/errors.ts';
import type { Db } from '../../db/client.ts';
import { getRun, setArchivedAt, type Run } from './store.ts';

/**
 * Archiving hides a run from the runs list and keeps everything it recorded. Unlike deleting it
 * frees nothing, and an archived run still counts wherever it is pointed to: its sweep's grid, its
 * seed group, its label audit, comparisons and its own page all use it as before.
 */

/** Why a run may not be archived now, or null. A queued or running run would vanish from the list while it trains. */
export function archiveBlocker(run: Run): string | null {
  return run.status === 'queued' || run.status === 'running' ? `run ${run.id} is ${run.status}; archive it once it has ended` : null;
}

export class RunNotArchivableError extends DomainError { readonly kind = 'conflict'; }

/**
 * Archives runs (or, with `undo`, lists them again), all or none; a run already in the wanted
 * state is left as it is and reported unchanged.
 */
export function archiveRuns(db: Db, runIds: number[], { undo = false }: { undo?: boolean } = {}): { runId: number; name: string; changed: boolean; archivedAt: Date | null }[] {
  return db.transaction(() => {
    const chosen = [...new Set(runIds)].map((id) => getRun(db, id));
    if (!undo) {
      for (const run of chosen) {
        const blocker = archiveBlocker(run);
        if (blocker) throw new RunNotArchivableError(blocker);
      }
    }
    const now = new Date();
    return chosen.map((run) => {
      const changed = undo ? run.archivedAt !== null : run.archivedAt === null;
      const archivedAt = undo ? null : (run.archivedAt ?? now);
      if (changed) setArchivedAt(db, run.id, archivedAt);
      return { runId: run.id, name: run.name, changed, archivedAt };
    });
  });
}

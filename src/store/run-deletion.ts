import { DomainError } from '../core/errors.ts';
import type { Db } from '../../db/client.ts';
import { labelAudits } from '../../db/schema.ts';
import { eq } from 'drizzle-orm';
import { getRun, type Run } from './store.ts';

/** Why a run may not be deleted now, or null when it may. */
export function deletionBlocker(db: Db, run: Run): string | null {
  if (run.status === 'running') return `run ${run.id} is running; cancel it first`;
  if (run.labelAuditId !== null) {
    const audit = db.select().from(labelAudits).where(eq(labelAudits.id, run.labelAuditId)).get();
    // A training-set search ranks its label issues once every fold's run is done; deleting a fold before that stalls it.
    if (audit && audit.finishedAt === null) return `run ${run.id} is a fold of training-set search ${audit.id} for label issues, which is not finished`;
  }
  return null;
}

/** Tables whose rows belong to one run (run_id), read from the schema so that new tables count too. */
function runTables(db: Db): { table: string; columns: string[] }[] {
  const tables = db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return tables
    .map(({ name }) => ({ table: name, columns: (db.$client.pragma(`table_info("${name}")`) as { name: string }[]).map((c) => c.name) }))
    .filter(({ table, columns }) => table === 'runs' || columns.includes('run_id'));
}

/**
 * The bytes a run's rows hold in the store (its own row, metrics, predictions, embeddings, weights,
 * maps...): what deleting it frees. Everything a run has lives in these rows; there are no side files.
 */
export function runStoredBytes(db: Db, runId: number): number {
  let bytes = 0;
  for (const { table, columns } of runTables(db)) {
    const size = columns.map((c) => `coalesce(length(CAST("${c}" AS BLOB)), 0)`).join(' + ');
    const key = table === 'runs' ? 'id' : 'run_id';
    const row = db.$client.prepare(`SELECT coalesce(sum(${size}), 0) AS bytes FROM "${table}" WHERE "${key}" = ?`).get(runId) as { bytes: number };
    bytes += row.bytes;
  }
  return bytes;
}

/** "1.2 MB": bytes for a person. */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const [value, unit] = bytes < 1e6 ? [bytes / 1e3, 'kB'] : bytes < 1e9 ? [bytes / 1e6, 'MB'] : [bytes / 1e9, 'GB'];
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

export class RunNotDeletableError extends DomainError { readonly kind = 'conflict'; }

/**
 * Deletes runs with everything recorded about them (the foreign keys cascade), all or none: one
 * that may not go (running, or a fold of an unfinished audit) leaves every run in place.
 * Sweeps keep their other runs; a seed group simply has one seed fewer.
 */
export function deleteRuns(db: Db, runIds: number[]): { runId: number; name: string; bytes: number }[] {
  return db.transaction(() => {
    const runs = [...new Set(runIds)].map((id) => getRun(db, id));
    for (const run of runs) {
      const blocker = deletionBlocker(db, run);
      if (blocker) throw new RunNotDeletableError(blocker);
    }
    return runs.map((run) => {
      const bytes = runStoredBytes(db, run.id);
      db.$client.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
      return { runId: run.id, name: run.name, bytes };
    });
  });
}

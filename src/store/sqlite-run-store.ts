import type { Db } from '../../db/client.ts';
import { labelAudits, sweeps } from '../../db/schema.ts';
import { writeModelFile } from './model-file-writes.ts';
import { archiveRuns } from './run-archive.ts';
import { claimQueuedRun, extendLeases, loseAttempt, renewLease, requestWorkerCancel } from './run-attempts.ts';
import { deleteRuns } from './run-deletion.ts';
import { storeRecorder } from './run-recorder.ts';
import type { NewRun, RunGroup, RunStore } from './run-store.ts';
import { recordSlurmJob, recordSlurmState } from './slurm-jobs.ts';
import { claimRun, createRun, endRun, failDeadRuns, removeTag, setNote, setTag } from './store.ts';
import { revokeToken } from './worker-tokens.ts';
import { createTrackedRun, endTrackedRun, extendTrackedLeases, logTrackedEpoch, renewTrackedLease, storeTrackedPredictions } from './tracked-runs.ts';

/**
 * The run store on a SQLite file. better-sqlite3 is synchronous, so each method does its work
 * before it returns its promise: a caller that awaits one write before the next sees them in order,
 * as it would on a backend that is asynchronous for real.
 */
export function sqliteRunStore(db: Db): RunStore {
  return {
    create: async (run, { claim = false } = {}) => createRun(db, { ...run, status: claim ? 'running' : 'queued' }),
    createGroup: async (group, runs) => createGroup(db, group, runs),
    claim: async (runId) => claimRun(db, runId),
    claimForWorker: async (claim) => claimQueuedRun(db, claim),

    recorder: (runId, options) => storeRecorder(db, runId, options),
    end: async (runId, status, error) => endRun(db, runId, status, error),
    loseAttempt: async (run, reason, retries) => loseAttempt(db, run, reason, retries),
    failDeadRuns: async () => failDeadRuns(db),
    requestCancel: async (runId) => requestWorkerCancel(db, runId),

    revokeToken: async (name) => revokeToken(db, name),
    renewLease: async (run, leaseMs, progress) => renewLease(db, run, leaseMs, progress),
    extendLeases: async (leaseMs) => {
      extendLeases(db, leaseMs);
      extendTrackedLeases(db);
    },
    recordSlurmJob: async (runId, jobId) => recordSlurmJob(db, runId, jobId),
    recordSlurmState: async (runId, described) => recordSlurmState(db, runId, described),

    recordImported: async (run) => (await writeModelFile(db, { kind: 'imported-run', input: run }))!,
    createTracked: async (input) => createTrackedRun(db, input),
    renewTrackedLease: async (run, progress) => renewTrackedLease(db, run, progress),
    logTrackedEpoch: async (run, epoch) => logTrackedEpoch(db, run, epoch),
    storeTrackedPredictions: async (run, results, hashes) => storeTrackedPredictions(db, run, results, hashes),
    storeTrackedModel: async (run, model) => {
      await writeModelFile(db, { kind: 'tracked-model', run, model });
    },
    endTracked: async (run, status, error) => endTrackedRun(db, run, status, error),

    setTag: async (runId, key, value) => setTag(db, runId, key, value),
    removeTag: async (runId, key) => removeTag(db, runId, key),
    setNote: async (runId, note) => setNote(db, runId, note),
    archive: async (runIds, options) => archiveRuns(db, runIds, options),
    delete: async (runIds) => deleteRuns(db, runIds),
  };
}

/** The group's row and its queued runs in one transaction (createRun's own nests as a savepoint). */
function createGroup(db: Db, group: RunGroup, runs: NewRun[]) {
  return db.transaction((tx) => {
    if ('sweep' in group) {
      const { id } = tx.insert(sweeps).values({ ...group.sweep, createdAt: new Date() }).returning().get();
      return { groupId: id, runs: runs.map((run) => createRun(db, { ...run, status: 'queued', sweepId: id })) };
    }
    const { id } = tx.insert(labelAudits).values({ createdAt: new Date(), folds: group.labelAudit.folds }).returning().get();
    // The tag keeps the feature's old name: runs tagged before the rename, and filters on them, stay as they were.
    const tagged = (run: NewRun) => ({ ...run, tags: { ...run.tags, 'label-audit': String(id) } });
    return { groupId: id, runs: runs.map((run) => createRun(db, { ...tagged(run), status: 'queued', labelAuditId: id })) };
  });
}

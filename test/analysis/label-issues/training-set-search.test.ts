import { describe, expect, it } from 'vitest';
import { auditProgress, auditRecipe, auditResult, auditRuns, getLabelAudit, latestAuditResult, launchLabelAudit } from '../../../src/analysis/label-issues/training-set-search.ts';
import { claimRun, endRun, getRun, recordProgress, runTagMap, storeHeldOutPredictions, type Run } from '../../../src/store/store.ts';
import { foldOf } from '../../../src/training/training-set.ts';
import { memoryDb } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';

// 80 training images, labelled i % 10; image 13 (a 3) is what every fold model calls an 8.
const labels = Uint8Array.from({ length: 80 }, (_, i) => i % 10);
const seenAs = (i: number) => (i === 13 ? 8 : labels[i]!);

/** What a fold run writes when it ends: its held-out images' predictions, then completion. */
function finishFold(db: ReturnType<typeof memoryDb>, run: Run) {
  const { fold, folds } = run.params as { fold: number; folds: number };
  const indices = Uint32Array.from(Array.from(labels.keys()).filter((i) => foldOf(i, folds) === fold));
  const probabilities = new Float32Array(indices.length * 10).fill(0.01);
  indices.forEach((i, r) => (probabilities[r * 10 + seenAs(i)] = 0.91));
  const embeddings = Float32Array.from(indices, (i) => seenAs(i) + i / 1000);
  claimRun(db, run.id);
  storeHeldOutPredictions(db, run.id, { indices, probabilities, dimensions: 1, embeddings });
  completeWithoutTraining(db, getRun(db, run.id));
}

describe('a training-set label audit', () => {
  it('queues one run per fold, each marked as the audit\'s, with the recipe and its fold recorded', () => {
    const db = memoryDb();
    const { audit, runs } = launchLabelAudit(db, { folds: 4, recipe: auditRecipe({ epochs: 1, trainLimit: 80 }) });
    expect(runs.map((run) => run.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    expect(auditRuns(db, audit.id).map((run) => [run.labelAuditId, (run.params as { fold: number }).fold, runTagMap(db, run.id)])).toEqual(
      [0, 1, 2, 3].map((fold) => [audit.id, fold, { 'label-audit': String(audit.id) }]),
    );
    expect(runs[0]!.params).toMatchObject({ folds: 4, epochs: 1, validationSplit: 0, trainLimit: 80 });
  });

  it('reports progress while folds train, and ranks the pooled held-out predictions once the last completes', () => {
    const db = memoryDb();
    const { audit, runs } = launchLabelAudit(db, { folds: 4, recipe: auditRecipe({ epochs: 2, trainLimit: 80 }) });
    finishFold(db, runs[0]!);
    claimRun(db, runs[1]!.id);
    recordProgress(db, runs[1]!.id, { epoch: 2, epochs: 2, batch: 1, batches: 2 });
    // One fold done, one three quarters through, two waiting.
    expect(auditProgress(db, audit)).toMatchObject({ state: 'training', done: (1 + 0.75) / 4 });
    expect(auditResult(db, audit, labels)).toBeNull();

    for (const run of runs.slice(1)) finishFold(db, run);
    const result = auditResult(db, audit, labels)!;
    expect(result.runs).toBe(4);
    expect(result.issues.map((issue) => [issue.index, issue.label, issue.suggested])).toEqual([[13, 3, 8]]);
    // Its neighbours come from its own fold's embedding space: the eights of fold 1.
    expect(result.issues[0]!.evidence.neighbours!.nearest.every((n) => foldOf(n.index, 4) === 1)).toBe(true);
    const stored = getLabelAudit(db, audit.id);
    expect(stored.result).toEqual(result);
    expect(stored.finishedAt).toEqual(new Date(Math.max(...auditRuns(db, audit.id).map((run) => run.finishedAt!.getTime()))));
    expect(auditProgress(db, stored).state).toBe('done');
    expect(latestAuditResult(db, labels)?.audit.id).toBe(audit.id);
  });

  it('cannot finish once a fold run failed', () => {
    const db = memoryDb();
    const { audit, runs } = launchLabelAudit(db, { folds: 2, recipe: auditRecipe({ trainLimit: 80 }) });
    finishFold(db, runs[0]!);
    claimRun(db, runs[1]!.id);
    endRun(db, runs[1]!.id, 'failed', 'training diverged');
    expect(auditProgress(db, audit).state).toBe('failed');
    expect(auditResult(db, audit, labels)).toBeNull();
    expect(latestAuditResult(db, labels)).toBeNull();
  });
});

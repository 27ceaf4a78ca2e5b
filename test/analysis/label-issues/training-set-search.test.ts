import { describe, expect, it } from 'vitest';
import { searchProgress, searchFoldHyperparameters, searchResult, searchFoldRuns, getTrainingSetSearch, latestSearchResult, launchTrainingSetSearch } from '../../../src/analysis/label-issues/training-set-search.ts';
import { claimRun, endRun, getRun, recordProgress, runTagMap, storeHeldOutPredictions, type Run } from '../../../src/store/store.ts';
import { foldOf } from '../../../src/training/training-set.ts';
import { memoryDb } from '../../helpers/db.ts';
import { completeWithoutTraining } from '../fake-runs.ts';
import { storeOn } from '../../../src/store/open-store.ts';

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

describe('a training-set search for label issues', () => {
  it('queues one run per fold, each marked as the search\'s, with its hyperparameters and fold recorded', async () => {
    const db = memoryDb();
    const { search, runs } = await launchTrainingSetSearch(storeOn(db), { folds: 4, hyperparameters: searchFoldHyperparameters({ epochs: 1, trainLimit: 80 }) });
    expect(runs.map((run) => run.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    expect(searchFoldRuns(db, search.id).map((run) => [run.labelAuditId, (run.params as { fold: number }).fold, runTagMap(db, run.id)])).toEqual(
      [0, 1, 2, 3].map((fold) => [search.id, fold, { 'label-audit': String(search.id) }]),
    );
    expect(runs[0]!.params).toMatchObject({ folds: 4, epochs: 1, validationSplit: 0, trainLimit: 80 });
  });

  it('reports progress while folds train, and ranks the pooled held-out predictions once the last completes', async () => {
    const db = memoryDb();
    const { search, runs } = await launchTrainingSetSearch(storeOn(db), { folds: 4, hyperparameters: searchFoldHyperparameters({ epochs: 2, trainLimit: 80 }) });
    finishFold(db, runs[0]!);
    claimRun(db, runs[1]!.id);
    recordProgress(db, runs[1]!.id, { epoch: 2, epochs: 2, batch: 1, batches: 2 });
    // One fold done, one three quarters through, two waiting.
    expect(searchProgress(db, search)).toMatchObject({ state: 'training', done: (1 + 0.75) / 4 });
    expect(searchResult(db, search, labels)).toBeNull();

    for (const run of runs.slice(1)) finishFold(db, run);
    const result = searchResult(db, search, labels)!;
    expect(result.runs).toBe(4);
    expect(result.issues.map((issue) => [issue.index, issue.label, issue.suggested])).toEqual([[13, 3, 8]]);
    // Its neighbours come from its own fold's embedding space: the eights of fold 1.
    expect(result.issues[0]!.evidence.neighbours!.nearest.every((n) => foldOf(n.index, 4) === 1)).toBe(true);
    const stored = getTrainingSetSearch(db, search.id);
    expect(stored.result).toEqual(result);
    expect(stored.finishedAt).toEqual(new Date(Math.max(...searchFoldRuns(db, search.id).map((run) => run.finishedAt!.getTime()))));
    expect(searchProgress(db, stored).state).toBe('done');
    expect(latestSearchResult(db, labels)?.search.id).toBe(search.id);
  });

  it('cannot finish once a fold run failed', async () => {
    const db = memoryDb();
    const { search, runs } = await launchTrainingSetSearch(storeOn(db), { folds: 2, hyperparameters: searchFoldHyperparameters({ trainLimit: 80 }) });
    finishFold(db, runs[0]!);
    claimRun(db, runs[1]!.id);
    endRun(db, runs[1]!.id, 'failed', 'training diverged');
    expect(searchProgress(db, search).state).toBe('failed');
    expect(searchResult(db, search, labels)).toBeNull();
    expect(latestSearchResult(db, labels)).toBeNull();
  });
});

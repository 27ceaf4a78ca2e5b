import { DomainError } from '../../core/errors.ts';
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { labelAudits, runs, type LabelSplit } from '../../../db/schema.ts';
import { defaultRunName } from '../../training/run-request-naming.ts';
import { REFERENCE_HYPERPARAMETERS, type Hyperparameters } from '../../training/hyperparameters.ts';
import { loadHeldOutPredictions, type Run } from '../../store/store.ts';
import type { RunStore } from '../../store/run-store.ts';
import { rankLabelIssues, storedLabelIssues, type LabelIssue, type PredictionView } from './ranking.ts';

/**
 * A search of the training set for label issues: K fold runs, each predicting the fold it did not
 * train on. Stored in the label_audits table, its name before the feature had one name.
 */
export type TrainingSetSearch = typeof labelAudits.$inferSelect;
export interface FoundLabelIssues {
  runs: number;
  issues: LabelIssue[];
}

export class TrainingSetSearchNotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(readonly searchId: number) {
    super(`no training-set search with id ${searchId}`);
  }
}

export const DEFAULT_SEARCH_FOLDS = 4;
/** Label issues kept with a finished search: more than anyone reviews, few enough to store as JSON. */
const STORED_ISSUES = 2000;

/**
 * The fold runs' hyperparameters: the reference CNN on every training image, with no validation split
 * (the held-out fold is the check that matters) and fewer epochs, so four folds fit in minutes.
 */
export function searchFoldHyperparameters(options: { epochs?: number; seed?: number; trainLimit?: number | null; workers?: number } = {}): Hyperparameters {
  return {
    ...REFERENCE_HYPERPARAMETERS,
    epochs: options.epochs ?? 2,
    validationSplit: 0,
    seed: options.seed ?? REFERENCE_HYPERPARAMETERS.seed,
    trainLimit: options.trainLimit ?? null,
    ...((options.workers ?? 1) > 1 ? { workers: options.workers } : {}),
  };
}

/** Records a search and queues its K fold runs, all or nothing; the run queue trains them like any other. */
export async function launchTrainingSetSearch(
  store: { db: Db; runs: RunStore },
  input: { folds?: number; hyperparameters: Hyperparameters },
): Promise<{ search: TrainingSetSearch; runs: Run[] }> {
  const folds = input.folds ?? DEFAULT_SEARCH_FOLDS;
  const { groupId, runs } = await store.runs.createGroup(
    { labelAudit: { folds } },
    Array.from({ length: folds }, (_, fold) => {
      const params: Hyperparameters = { ...input.hyperparameters, fold, folds };
      return { name: defaultRunName(params), params };
    }),
  );
  return { search: getTrainingSetSearch(store.db, groupId), runs };
}

export function getTrainingSetSearch(db: Db, searchId: number): TrainingSetSearch {
  const search = db.select().from(labelAudits).where(eq(labelAudits.id, searchId)).get();
  if (!search) throw new TrainingSetSearchNotFoundError(searchId);
  return search;
}

export function listTrainingSetSearches(db: Db): TrainingSetSearch[] {
  return db.select().from(labelAudits).orderBy(desc(labelAudits.id)).all();
}

export function searchFoldRuns(db: Db, searchId: number): Run[] {
  return db.select().from(runs).where(eq(runs.labelAuditId, searchId)).orderBy(asc(runs.id)).all();
}

export type SearchState = 'training' | 'done' | 'failed';

/** Where a search stands: its runs, the share of their training done, and whether it can still finish. */
export function searchProgress(db: Db, search: TrainingSetSearch): { state: SearchState; runs: Run[]; done: number } {
  const folds = searchFoldRuns(db, search.id);
  const share = (run: Run) => {
    if (run.status === 'completed') return 1;
    const progress = run.progress as { epoch: number; epochs: number; batch: number; batches: number } | null;
    return progress ? (progress.epoch - 1 + progress.batch / progress.batches) / progress.epochs : 0;
  };
  const done = folds.reduce((sum, run) => sum + share(run), 0) / Math.max(1, folds.length);
  const failed = folds.some((run) => run.status === 'failed' || run.status === 'cancelled');
  return { state: search.result ? 'done' : failed ? 'failed' : 'training', runs: folds, done };
}

/**
 * The search's ranked label issues, computed and stored the first time they are asked for after its
 * last fold completed; null while folds are still training (or one failed).
 */
export function searchResult(db: Db, search: TrainingSetSearch, trainLabels: Uint8Array): FoundLabelIssues | null {
  if (search.result) return search.result as FoundLabelIssues;
  const folds = searchFoldRuns(db, search.id);
  if (folds.length !== search.folds || folds.some((run) => run.status !== 'completed')) return null;
  const views = folds.flatMap((run): PredictionView[] => {
    const heldOut = loadHeldOutPredictions(db, run.id);
    return heldOut ? [{ indices: heldOut.indices, probabilities: heldOut.probabilities, embeddings: { dimensions: heldOut.dimensions, vectors: heldOut.embeddings } }] : [];
  });
  const result: FoundLabelIssues = { runs: views.length, issues: rankLabelIssues(trainLabels, views, STORED_ISSUES) };
  // Finished when its last fold did, not when someone first looked: the search's time is the folds' time.
  const finishedAt = new Date(Math.max(...folds.map((run) => (run.finishedAt ?? new Date()).getTime())));
  db.update(labelAudits).set({ result, finishedAt }).where(eq(labelAudits.id, search.id)).run();
  return result;
}

/** The newest search whose label issues are ready, with them. */
export function latestSearchResult(db: Db, trainLabels: Uint8Array): { search: TrainingSetSearch; result: FoundLabelIssues } | null {
  for (const search of listTrainingSetSearches(db)) {
    const result = searchResult(db, search, trainLabels);
    if (result) return { search, result };
  }
  return null;
}

/**
 * A split's ranked label issues and how many runs they come from: the test set's from every run that
 * predicted all of it, the training set's from the newest finished search (none before one finishes).
 */
export function findLabelIssues(db: Db, split: LabelSplit, labels: Uint8Array, limit = Infinity, dataset = 'mnist'): FoundLabelIssues {
  if (split === 'test') return storedLabelIssues(db, labels, limit, dataset);
  const latest = latestSearchResult(db, labels);
  return latest ? { runs: latest.result.runs, issues: latest.result.issues.slice(0, limit) } : { runs: 0, issues: [] };
}

import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { labelAudits, runs, type LabelSplit } from '../../db/schema.ts';
import { defaultRunName } from '../cli/train-command.ts';
import { REFERENCE_HYPERPARAMETERS, type Hyperparameters } from '../training/hyperparameters.ts';
import { createRun, loadHeldOutPredictions, type Run } from '../store/store.ts';
import { rankLabelIssues, storedLabelIssues, type LabelIssue, type PredictionView } from './label-issues.ts';

export type LabelAudit = typeof labelAudits.$inferSelect;
export interface AuditResult {
  runs: number;
  issues: LabelIssue[];
}

export class LabelAuditNotFoundError extends Error {
  constructor(readonly auditId: number) {
    super(`no label audit with id ${auditId}`);
  }
}

export const DEFAULT_AUDIT_FOLDS = 4;
/** Suspects kept with a finished audit: more than anyone reviews, few enough to store as JSON. */
const STORED_SUSPECTS = 2000;

/**
 * The fold runs' recipe: the reference CNN on every training image, with no validation split
 * (the held-out fold is the check that matters) and fewer epochs, so four folds fit in minutes.
 */
export function auditRecipe(options: { epochs?: number; seed?: number; trainLimit?: number | null; workers?: number } = {}): Hyperparameters {
  return {
    ...REFERENCE_HYPERPARAMETERS,
    epochs: options.epochs ?? 2,
    validationSplit: 0,
    seed: options.seed ?? REFERENCE_HYPERPARAMETERS.seed,
    trainLimit: options.trainLimit ?? null,
    ...((options.workers ?? 1) > 1 ? { workers: options.workers } : {}),
  };
}

/** Records an audit and queues its K fold runs, all or nothing; the run queue trains them like any other. */
export function launchLabelAudit(db: Db, input: { folds?: number; recipe: Hyperparameters }): { audit: LabelAudit; runs: Run[] } {
  const folds = input.folds ?? DEFAULT_AUDIT_FOLDS;
  return db.transaction((tx) => {
    const audit = tx.insert(labelAudits).values({ createdAt: new Date(), folds }).returning().get();
    const queued = Array.from({ length: folds }, (_, fold) => {
      const params: Hyperparameters = { ...input.recipe, fold, folds };
      return createRun(db, { name: defaultRunName(params), params, tags: { 'label-audit': String(audit.id) }, status: 'queued', labelAuditId: audit.id });
    });
    return { audit, runs: queued };
  });
}

export function getLabelAudit(db: Db, auditId: number): LabelAudit {
  const audit = db.select().from(labelAudits).where(eq(labelAudits.id, auditId)).get();
  if (!audit) throw new LabelAuditNotFoundError(auditId);
  return audit;
}

export function listLabelAudits(db: Db): LabelAudit[] {
  return db.select().from(labelAudits).orderBy(desc(labelAudits.id)).all();
}

export function auditRuns(db: Db, auditId: number): Run[] {
  return db.select().from(runs).where(eq(runs.labelAuditId, auditId)).orderBy(asc(runs.id)).all();
}

export type AuditState = 'training' | 'done' | 'failed';

/** Where an audit stands: its runs, the share of their training done, and whether it can still finish. */
export function auditProgress(db: Db, audit: LabelAudit): { state: AuditState; runs: Run[]; done: number } {
  const folds = auditRuns(db, audit.id);
  const share = (run: Run) => {
    if (run.status === 'completed') return 1;
    const progress = run.progress as { epoch: number; epochs: number; batch: number; batches: number } | null;
    return progress ? (progress.epoch - 1 + progress.batch / progress.batches) / progress.epochs : 0;
  };
  const done = folds.reduce((sum, run) => sum + share(run), 0) / Math.max(1, folds.length);
  const failed = folds.some((run) => run.status === 'failed' || run.status === 'cancelled');
  return { state: audit.result ? 'done' : failed ? 'failed' : 'training', runs: folds, done };
}

/**
 * The audit's ranked suspects, computed and stored the first time they are asked for after its
 * last fold completed; null while folds are still training (or one failed).
 */
export function auditResult(db: Db, audit: LabelAudit, trainLabels: Uint8Array): AuditResult | null {
  if (audit.result) return audit.result as AuditResult;
  const folds = auditRuns(db, audit.id);
  if (folds.length !== audit.folds || folds.some((run) => run.status !== 'completed')) return null;
  const views = folds.flatMap((run): PredictionView[] => {
    const heldOut = loadHeldOutPredictions(db, run.id);
    return heldOut ? [{ indices: heldOut.indices, probabilities: heldOut.probabilities, embeddings: { dimensions: heldOut.dimensions, vectors: heldOut.embeddings } }] : [];
  });
  const result: AuditResult = { runs: views.length, issues: rankLabelIssues(trainLabels, views, STORED_SUSPECTS) };
  // Finished when its last fold did, not when someone first looked: the audit's time is the folds' time.
  const finishedAt = new Date(Math.max(...folds.map((run) => (run.finishedAt ?? new Date()).getTime())));
  db.update(labelAudits).set({ result, finishedAt }).where(eq(labelAudits.id, audit.id)).run();
  return result;
}

/** The newest audit whose suspects are ready, with them. */
export function latestAuditResult(db: Db, trainLabels: Uint8Array): { audit: LabelAudit; result: AuditResult } | null {
  for (const audit of listLabelAudits(db)) {
    const result = auditResult(db, audit, trainLabels);
    if (result) return { audit, result };
  }
  return null;
}

/**
 * A split's ranked suspects and how many runs they come from: the test set's from every run that
 * predicted all of it, the training set's from the newest finished audit (none before one finishes).
 */
export function labelSuspects(db: Db, split: LabelSplit, labels: Uint8Array, limit = Infinity): AuditResult {
  if (split === 'test') return storedLabelIssues(db, labels, limit);
  const latest = latestAuditResult(db, labels);
  return latest ? { runs: latest.result.runs, issues: latest.result.issues.slice(0, limit) } : { runs: 0, issues: [] };
}

import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { runSliceMetrics } from '../../db/schema.ts';
import type { MnistSplit } from '../data/mnist.ts';
import { loadTestPredictions } from '../store/store.ts';
import { partitionSevens } from './slices.ts';
import { hypergeometricUpperTail } from './statistics/exact-tails.ts';
import { wilsonInterval, type Interval } from './statistics/wilson.ts';

export const SEVEN_SLICES = ['crossed-seven', 'plain-seven'] as const;
export type SevenSlice = (typeof SEVEN_SLICES)[number];

type StoredSlice = typeof runSliceMetrics.$inferSelect;

export interface SliceOutcome {
  slice: SevenSlice;
  count: number;
  errors: number;
  errorRate: number | null;
  /** Wilson 95% interval of the error rate. */
  interval: Interval;
  /** The wrong answers, most frequent first. */
  mistakenFor: { label: number; count: number }[];
}

export interface SevenSliceReport {
  crossed: SliceOutcome;
  plain: SliceOutcome;
  /**
   * One-sided Fisher exact p that crossed sevens fail more often than plain ones: small means the
   * gap is unlikely if a seven's errors fell on crossed and plain sevens alike.
   */
  pCrossedWorse: number;
}

/** Counts a run's answers on the images of one slice; `predicted` may cover only a prefix of the split. */
function countSlice(runId: number, slice: SevenSlice, indices: number[], labels: Uint8Array, predicted: Uint8Array): StoredSlice {
  const predictedCounts = new Array<number>(10).fill(0);
  let count = 0;
  let errors = 0;
  for (const index of indices) {
    if (index >= predicted.length) break;
    const answer = predicted[index]!;
    predictedCounts[answer]!++;
    count++;
    if (answer !== labels[index]) errors++;
  }
  return { runId, slice, count, errors, predictedCounts };
}

function outcomeOf(stored: StoredSlice, label: number): SliceOutcome {
  return {
    slice: stored.slice as SevenSlice,
    count: stored.count,
    errors: stored.errors,
    errorRate: stored.count > 0 ? stored.errors / stored.count : null,
    interval: wilsonInterval(stored.errors, stored.count),
    mistakenFor: stored.predictedCounts
      .map((count, predicted) => ({ label: predicted, count }))
      .filter((entry) => entry.label !== label && entry.count > 0)
      .sort((a, b) => b.count - a.count || a.label - b.label),
  };
}

function reportOf(crossedRow: StoredSlice, plainRow: StoredSlice): SevenSliceReport {
  const crossed = outcomeOf(crossedRow, 7);
  const plain = outcomeOf(plainRow, 7);
  const pCrossedWorse = hypergeometricUpperTail(
    crossed.errors,
    crossed.count + plain.count,
    crossed.errors + plain.errors,
    crossed.count,
  );
  return { crossed, plain, pCrossedWorse };
}

/**
 * Computes and stores a run's crossed- and plain-seven metrics from its test predictions. The
 * detector's verdicts depend only on the images, so `test` can be shared across runs.
 */
function recordSevenSliceMetrics(db: Db, runId: number, test: MnistSplit): SevenSliceReport | null {
  const predictions = loadTestPredictions(db, runId);
  if (!predictions) return null;
  const { crossed, plain } = partitionSevens(test);
  const rows = [
    countSlice(runId, 'crossed-seven', crossed, test.labels, predictions.predicted),
    countSlice(runId, 'plain-seven', plain, test.labels, predictions.predicted),
  ] as const;
  db.transaction((tx) => {
    for (const row of rows) {
      tx.insert(runSliceMetrics)
        .values(row)
        .onConflictDoUpdate({ target: [runSliceMetrics.runId, runSliceMetrics.slice], set: row })
        .run();
    }
  });
  return reportOf(...rows);
}

/** A run's seven-slice metrics, computed and stored on first request; null before the run has predictions. */
export function sevenSliceMetrics(db: Db, runId: number, test: MnistSplit): SevenSliceReport | null {
  const stored = (slice: SevenSlice) =>
    db
      .select()
      .from(runSliceMetrics)
      .where(and(eq(runSliceMetrics.runId, runId), eq(runSliceMetrics.slice, slice)))
      .get();
  const crossed = stored('crossed-seven');
  const plain = stored('plain-seven');
  if (crossed && plain) return reportOf(crossed, plain);
  return recordSevenSliceMetrics(db, runId, test);
}

import type { Db } from '../../../db/client.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import { eceDifferenceOf, pairedEceInputs, type EceInputs } from '../calibration/run-calibration.ts';
import type { EceDifference } from '../calibration/reliability.ts';
import { bootstrapDifferenceInterval, type Interval } from '../statistics/bootstrap.ts';
import { correctnessDifference, imageChanges } from './image-changes.ts';
import type { PairedRuns } from './run-comparison.ts';

/** The two bootstraps of a comparison: seconds of work on two full runs, the same at every visit. */
export interface PairStatistics {
  accuracyDeltaInterval: Interval;
  ece: EceDifference | null;
}

export interface PairStatisticsJob {
  perImage: Int8Array;
  ece: EceInputs | null;
}

export function pairStatisticsJob(db: Db, paired: PairedRuns): PairStatisticsJob {
  return { perImage: correctnessDifference(imageChanges(paired.predictions)), ece: pairedEceInputs(db, paired) };
}

/** In place: what the thread runs, and what the CLI would. */
export function computePairStatistics(job: PairStatisticsJob): PairStatistics {
  return { accuracyDeltaInterval: bootstrapDifferenceInterval(job.perImage), ece: job.ece && eceDifferenceOf(job.ece) };
}

type Message = { kind: 'done'; statistics: PairStatistics } | { kind: 'failed'; error: string };

/** Pairs kept: each is a few numbers. */
const KEPT = 500;

/**
 * A server's comparisons' bootstraps, computed in a worker thread, once per pair of runs (their
 * predictions never change once completed) and kept: the compare page no longer holds the event
 * loop for the second its two bootstraps take.
 */
export class PairStatisticsCache {
  private readonly kept = new Map<string, Promise<PairStatistics>>();

  constructor(private readonly db: Db) {}

  of(paired: PairedRuns): Promise<PairStatistics> {
    const key = `${paired.a.id}:${paired.b.id}:${paired.predictions.labels.length}`;
    let statistics = this.kept.get(key);
    if (!statistics) {
      statistics = runThreadJob<PairStatistics, Message>(new URL('./pair-statistics-thread.mjs', import.meta.url), pairStatisticsJob(this.db, paired), 'comparison', (message, job) =>
        message.kind === 'done' ? job.resolve(message.statistics) : job.reject(new Error(message.error)),
      );
      statistics.catch(() => this.kept.delete(key)); // asked again, computed again
      this.kept.set(key, statistics);
      for (const oldest of this.kept.keys()) if (this.kept.size > KEPT) this.kept.delete(oldest);
    }
    return statistics;
  }
}

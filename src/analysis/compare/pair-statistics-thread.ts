// A comparison's bootstraps off the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { computePairStatistics, type PairStatisticsJob } from './pair-statistics.ts';

try {
  parentPort!.postMessage({ kind: 'done', statistics: computePairStatistics(workerData as PairStatisticsJob) });
} catch (err) {
  parentPort!.postMessage({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
}

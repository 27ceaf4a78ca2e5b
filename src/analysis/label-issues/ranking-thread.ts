// Ranks label issues off the main thread: the parent's event loop (a web server) stays free.
import { parentPort, workerData } from 'node:worker_threads';
import { rankLabelIssues, type LabelIssue, type PredictionView } from './ranking.ts';
import { idleThisThread } from '../../core/thread-priority.ts';

export interface RankingJob {
  labels: Uint8Array;
  views: PredictionView[];
  limit: number;
}

export type RankingMessage = { kind: 'done'; issues: LabelIssue[] } | { kind: 'failed'; error: string };

idleThisThread();
const { labels, views, limit } = workerData as RankingJob;
let message: RankingMessage;
try {
  message = { kind: 'done', issues: rankLabelIssues(labels, views, limit) };
} catch (err) {
  message = { kind: 'failed', error: (err as Error).stack ?? String(err) };
}
parentPort!.postMessage(message);

import type { Db } from '../../../db/client.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import { testPredictionViews, type LabelIssue, type PredictionView } from './ranking.ts';
import type { RankingJob, RankingMessage } from './ranking-thread.ts';

/**
 * storedLabelIssues in a worker thread, for a server. The neighbour search is exact over every
 * candidate: with a prediction file of random probabilities nearly all 10,000 test images are
 * candidates, and with a model whose embedding is its 784-pixel input that took /dataset 170 s,
 * during which the server answered nothing else.
 */
export async function storedLabelIssuesInThread(db: Db, testLabels: Uint8Array, limit = Infinity, dataset = 'mnist'): Promise<{ runs: number; issues: LabelIssue[] }> {
  const views = testPredictionViews(db, testLabels.length, dataset);
  return { runs: views.length, issues: await rankLabelIssuesInThread(testLabels, views, limit) };
}

/** rankLabelIssues in a worker thread at low priority. */
export function rankLabelIssuesInThread(labels: Uint8Array, views: PredictionView[], limit = Infinity): Promise<LabelIssue[]> {
  const job: RankingJob = { labels, views, limit };
  return runThreadJob<LabelIssue[], RankingMessage>(new URL('./ranking-thread.mjs', import.meta.url), job, 'label issue ranking', (message, control) =>
    message.kind === 'done' ? control.resolve(message.issues) : control.reject(new Error(message.error)),
  );
}

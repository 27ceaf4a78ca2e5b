import type { Db } from '../../../db/client.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import { testPredictionViews, type LabelIssue } from './ranking.ts';
import type { RankingJob, RankingMessage } from './ranking-thread.ts';

/**
 * storedLabelIssues in a worker thread, for a server. The neighbour search is exact over every
 * candidate: with a prediction file of random probabilities nearly all 10,000 test images are
 * candidates, and with a model whose embedding is its 784-pixel input that took /dataset 170 s,
 * during which the server answered nothing else.
 */
export async function storedLabelIssuesInThread(db: Db, testLabels: Uint8Array, limit = Infinity, dataset = 'mnist'): Promise<{ runs: number; issues: LabelIssue[] }> {
  const views = testPredictionViews(db, testLabels.length, dataset);
  const script = new URL('./ranking-thread.mjs', import.meta.url);
  const job: RankingJob = { labels: testLabels, views, limit };
  const issues = await runThreadJob<LabelIssue[], RankingMessage>(script, job, 'label issue ranking', (message, control) =>
    message.kind === 'done' ? control.resolve(message.issues) : control.reject(new Error(message.error)),
  );
  return { runs: views.length, issues };
}

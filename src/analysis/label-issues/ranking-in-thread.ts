import { runThreadJob } from '../../core/thread-job.ts';
import type { LabelIssue, PredictionView } from './ranking.ts';
import type { RankingJob, RankingMessage } from './ranking-thread.ts';

/** rankLabelIssues in a worker thread at low priority. */
export function rankLabelIssuesInThread(labels: Uint8Array, views: PredictionView[], limit = Infinity): Promise<LabelIssue[]> {
  const job: RankingJob = { labels, views, limit };
  return runThreadJob<LabelIssue[], RankingMessage>(new URL('./ranking-thread.mjs', import.meta.url), job, 'label issue ranking', (message, control) =>
    message.kind === 'done' ? control.resolve(message.issues) : control.reject(new Error(message.error)),
  );
}

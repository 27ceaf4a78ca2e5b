import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { testEmbeddings, testPredictions } from '../../../db/schema.ts';
import { runThreadJob } from '../../core/thread-job.ts';
import { getRun, listRuns, loadPackedTestEmbeddings, loadTestEmbeddings, loadTestPredictions } from '../../store/store.ts';
import { threadDataset } from '../../data/datasets/catalogue.ts';
import type { DatasetFacts } from '../dataset-facts.ts';
import { JobBoard } from '../job-board.ts';
import type { JobStatus } from '../job-status.ts';
import { rankLabelIssuesInThread } from '../label-issues/ranking-in-thread.ts';
import type { LabelIssue, PredictionView } from '../label-issues/ranking.ts';
import type { DiscoveredSlice } from '../slice-discovery.ts';
import type { FactsMessage } from './dataset-facts-thread.ts';
import { discoverSlicesInThread } from './discovery-in-thread.ts';

export type SlicesStatus = JobStatus<DiscoveredSlice[]>;
export interface TestLabelIssues {
  runs: number;
  issues: LabelIssue[];
}

/** Kept in memory per run: small (ten clusters' indices), and a server sees few runs a day. */
const KEPT_SLICES = 2000;

/** One dataset's test labels, by the dataset's name: every run is analysed over its own dataset's. */
export type TestLabelsOf = (dataset: string) => Uint8Array;

/** A ranking of one dataset's test labels, by the completed runs it ranks over. */
interface RankingEntry {
  key: string;
  value: Promise<TestLabelIssues>;
  status: JobStatus<TestLabelIssues>;
}

/**
 * The analyses a server keeps in memory and computes in worker threads, never on its event loop:
 * each run's discovered slices (k-means over its embeddings, seconds for 10,000 images), the
 * dataset page's facts and each dataset's test-set label-issue ranking. One per server, shared by
 * its pages and its background work, so a page and the background never compute the same thing twice.
 */
export class RunAnalyses {
  private readonly board = new JobBoard();
  private readonly slices = new Map<number, DiscoveredSlice[]>();
  /** Each dataset's facts, once computed: a few kB each (counts and ten mean images). */
  private readonly facts = new Map<string, DatasetFacts>();
  private readonly labelIssues = new Map<string, RankingEntry>();

  constructor(
    private readonly db: Db,
    private readonly testLabels: TestLabelsOf,
    private readonly discover: typeof discoverSlicesInThread = discoverSlicesInThread,
  ) {}

  /** Where a run's discovered slices stand, without starting anything. */
  slicesStatus(runId: number): SlicesStatus {
    const kept = this.slices.get(runId);
    if (kept) return { state: 'ready', value: kept };
    const pending = this.board.status(`slices:${runId}`);
    if (pending) return pending;
    if (!this.hasEmbeddings(runId)) return { state: 'unavailable', reason: `run ${runId} has no stored test predictions and embeddings` };
    return { state: 'absent' };
  }

  /** Starts discovering a run's slices if absent (or failed before); returns where they stand. */
  startSlices(runId: number): SlicesStatus {
    const status = this.slicesStatus(runId);
    if (status.state === 'absent' || status.state === 'failed') this.discoveredSlices(runId).catch(() => {}); // kept for status
    return this.slicesStatus(runId);
  }

  /** A run's discovered slices, computed in a thread once; null when it has no predictions and embeddings. */
  async discoveredSlices(runId: number): Promise<DiscoveredSlice[] | null> {
    const kept = this.slices.get(runId);
    if (kept) return kept;
    if (!this.hasEmbeddings(runId)) return null;
    return this.board.run(`slices:${runId}`, async (report) => {
      report(0.1, 'clustering each class in the model’s embedding');
      const predictions = loadTestPredictions(this.db, runId);
      const embeddings = loadPackedTestEmbeddings(this.db, runId);
      if (!predictions || !embeddings) throw new Error(`run ${runId} has no stored test predictions and embeddings`);
      const slices = await this.discover({ labels: this.testLabels(getRun(this.db, runId).dataset), predicted: predictions.predicted, embeddings });
      this.slices.set(runId, slices);
      for (const oldest of this.slices.keys()) if (this.slices.size > KEPT_SLICES) this.slices.delete(oldest);
      return slices;
    });
  }

  /** Where `dataset`'s page facts stand, without starting anything. */
  datasetFactsStatus(dataset: string): JobStatus<DatasetFacts> {
    const kept = this.facts.get(dataset);
    if (kept) return { state: 'ready', value: kept };
    return this.board.status(`facts:${dataset}`) ?? { state: 'absent' };
  }

  /** Starts computing `dataset`'s facts if absent (or failed before); returns where they stand. */
  startDatasetFacts(dataset: string): JobStatus<DatasetFacts> {
    const status = this.datasetFactsStatus(dataset);
    if (status.state === 'absent' || status.state === 'failed') this.datasetFacts(dataset).catch(() => {}); // kept for status
    return this.datasetFactsStatus(dataset);
  }

  /** `dataset`'s page facts: both splits read and summarised once, in a thread (which reads the dataset itself). */
  async datasetFacts(dataset: string): Promise<DatasetFacts> {
    const kept = this.facts.get(dataset);
    if (kept) return kept;
    return this.board.run(`facts:${dataset}`, async (report) => {
      report(0.1, 'reading both splits');
      const facts = await runThreadJob<DatasetFacts, FactsMessage>(new URL('./dataset-facts-thread.mjs', import.meta.url), threadDataset(this.db, dataset), 'dataset facts', (message, control) =>
        message.kind === 'done' ? control.resolve(message.facts) : control.reject(new Error(message.error)),
      );
      this.facts.set(dataset, facts);
      return facts;
    });
  }

  /**
   * `dataset`'s test set's label issues over every completed run on it that predicted all of it,
   * ranked in a thread, again only when those runs change. Each run's predictions and embeddings
   * are read in a turn of their own, so reading many runs does not hold the event loop either.
   */
  testLabelIssues(dataset: string): Promise<TestLabelIssues> {
    // Only the dataset's own runs vote: another dataset's predictions are not about these images.
    const runs = listRuns(this.db, { statuses: ['completed'] })
      .filter((run) => run.dataset === dataset)
      .map((run) => run.id);
    const key = runs.join(',');
    const kept = this.labelIssues.get(dataset);
    if (kept?.key === key && kept.status.state !== 'failed') return kept.value;
    const entry: RankingEntry = {
      key,
      status: { state: 'computing', fraction: 0, stage: `ranking over ${runs.length} completed runs` },
      value: this.rankTestLabels(dataset, runs).then(
        (value) => ((entry.status = { state: 'ready', value }), value),
        (err: unknown) => {
          entry.status = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
          throw err;
        },
      ),
    };
    this.labelIssues.set(dataset, entry);
    return entry.value;
  }

  /**
   * Where the ranking of the latest call to testLabelIssues(dataset) stands; absent before any. A
   * failed ranking is tried again at the next call.
   */
  testLabelIssuesStatus(dataset: string): JobStatus<TestLabelIssues> {
    return this.labelIssues.get(dataset)?.status ?? { state: 'absent' };
  }

  private async rankTestLabels(dataset: string, runIds: number[]): Promise<TestLabelIssues> {
    // Nothing to rank without runs, and no dataset to read (another dataset's test split costs a tenth of a second).
    if (runIds.length === 0) return { runs: 0, issues: [] };
    await yieldToOthers(); // not in the turn of the page that asked
    const labels = this.testLabels(dataset);
    const views: PredictionView[] = [];
    for (const runId of runIds) {
      await yieldToOthers();
      const predictions = loadTestPredictions(this.db, runId);
      if (!predictions || predictions.predicted.length !== labels.length) continue;
      const embeddings = loadTestEmbeddings(this.db, runId);
      views.push({ indices: null, probabilities: predictions.probabilities, embeddings: embeddings && { dimensions: embeddings.dimensions, vectors: embeddings.vectors } });
    }
    return { runs: views.length, issues: await rankLabelIssuesInThread(labels, views) };
  }

  /** Without decoding them: a run recorded with an empty placeholder (zero dimensions) has nothing to cluster. */
  private hasEmbeddings(runId: number): boolean {
    const row = this.db.select({ dimensions: testEmbeddings.dimensions }).from(testEmbeddings).where(eq(testEmbeddings.runId, runId)).get();
    const predicted = this.db.select({ runId: testPredictions.runId }).from(testPredictions).where(eq(testPredictions.runId, runId)).get();
    return row !== undefined && row.dimensions > 0 && predicted !== undefined;
  }
}

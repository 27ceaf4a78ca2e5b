import { and, desc, eq, gt } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { embeddingMaps, runs, testEmbeddings } from '../../../db/schema.ts';
import { DEFAULT_DATASET } from '../../data/datasets/catalogue.ts';
import type { MapJobs } from '../maps/map-jobs.ts';
import { loadMap, pixelMapKey, runMapKey } from '../maps/map-store.ts';
import type { RunAnalyses } from './run-analyses.ts';

/** At start-up, the newest completed runs whose slices (kept in memory only) are computed ahead of a visit. */
const SLICES_AT_START = 20;

/**
 * What a server computes for completed runs before anyone asks: their discovered slices (memory),
 * their maps (stored), MNIST's pixel map and dataset facts (its dataset page's), and each dataset's
 * test-set label-issue ranking. `scan` notices runs that completed since the last scan, whoever completed
 * them (a run trained here, by a worker or Slurm, imported, or tracked from a script; another
 * process, or before an upgrade), and works through them one job at a time, newest run first, each
 * in a low-priority worker thread: at most one core, yielded to training.
 */
export class BackgroundAnalyses {
  /** Runs already looked at, and those of them whose slices are to be computed ahead of a visit. */
  private readonly seen = new Set<number>();
  private readonly wantSlices = new Set<number>();
  private storedMaps = new Set<number>();
  /** Jobs that failed: not tried again by this process (a visit still may, and shows the error). */
  private readonly failed = new Set<string>();
  /** Per dataset, the completed runs its label issues were last ranked over. */
  private readonly ranked = new Map<string, string>();
  private working: Promise<void> | null = null;
  private started = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly maps: MapJobs,
    private readonly analyses: RunAnalyses,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Looks for work and does it; resolves when there is none left (joining a scan under way). */
  scan(): Promise<void> {
    this.working ??= this.work().finally(() => (this.working = null));
    return this.working;
  }

  /**
   * Scans now and every `intervalMs`. The returned function stops scanning and resolves once the
   * job in hand has ended (a caller that cannot wait ends its thread: stopAllThreadJobs).
   */
  start(intervalMs = 5000): () => Promise<void> {
    void this.scan();
    const timer = setInterval(() => void this.scan(), intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      this.stopped = true;
      await this.working;
    };
  }

  private async work(): Promise<void> {
    for (let job = this.next(); job && !this.stopped; job = this.next()) {
      try {
        await job.run();
      } catch (err) {
        if (this.stopped) return; // ended by the stop, not failed
        this.failed.add(job.key);
        this.log(`background analysis: ${job.key} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /**
   * The next job, the quick ones first: runs' slices (a second or two each, newest run first), the
   * dataset facts and the label-issue ranking (seconds), then runs' maps and MNIST's pixel map (tens of
   * seconds each).
   */
  private next(): { key: string; run: () => Promise<unknown> } | null {
    const runIds = this.completedRuns();
    for (const runId of runIds) {
      if (this.wantSlices.has(runId) && this.analyses.slicesStatus(runId).state === 'absent' && !this.failed.has(`slices:${runId}`)) {
        return { key: `slices:${runId}`, run: () => this.analyses.discoveredSlices(runId) };
      }
    }
    // MNIST's page is the one opened first; another dataset's facts are computed at its page's first view.
    if (!this.failed.has('dataset-facts') && this.analyses.datasetFactsStatus(DEFAULT_DATASET).state === 'absent') {
      return { key: 'dataset-facts', run: () => this.analyses.datasetFacts(DEFAULT_DATASET) };
    }
    for (const [dataset, completed] of this.completedByDataset()) {
      const ranking = `label-issues:${dataset}:${completed}`;
      if (this.ranked.get(dataset) !== ranking && !this.failed.has(ranking)) {
        return { key: ranking, run: () => this.analyses.testLabelIssues(dataset).then(() => this.ranked.set(dataset, ranking)) };
      }
    }
    for (const runId of runIds) {
      if (this.needsMap(runId) && !this.failed.has(`map:${runId}`)) return { key: `map:${runId}`, run: () => this.maps.get(runMapKey(runId)) };
    }
    // As with the facts: MNIST's pixel map ahead of a visit, another dataset's at its page's first view.
    const pixels = pixelMapKey(DEFAULT_DATASET);
    if (!loadMap(this.db, pixels) && !this.failed.has('map:pixels')) return { key: 'map:pixels', run: () => this.maps.get(pixels) };
    return null;
  }

  /** Each dataset's completed runs (MNIST's always, so its page has a ranking with no runs), as one key per dataset. */
  private completedByDataset(): Map<string, string> {
    const byDataset = new Map<string, number[]>([[DEFAULT_DATASET, []]]);
    for (const row of this.db.select({ id: runs.id, dataset: runs.dataset }).from(runs).where(eq(runs.status, 'completed')).orderBy(runs.id).all()) {
      byDataset.set(row.dataset, [...(byDataset.get(row.dataset) ?? []), row.id]);
    }
    return new Map([...byDataset].map(([dataset, ids]) => [dataset, ids.join(',')]));
  }

  /**
   * Completed runs with embeddings to analyse, newest first: at the first scan the newest
   * SLICES_AT_START (slices are kept in memory only, so older runs' wait for a visit), then every
   * run that completes; and at any scan every run whose map was never stored.
   */
  private completedRuns(): number[] {
    const rows = this.db
      .select({ id: runs.id, map: embeddingMaps.id })
      .from(runs)
      .innerJoin(testEmbeddings, and(eq(testEmbeddings.runId, runs.id), gt(testEmbeddings.dimensions, 0)))
      .leftJoin(embeddingMaps, and(eq(embeddingMaps.runId, runs.id), eq(embeddingMaps.source, 'embeddings'), eq(embeddingMaps.split, 'test')))
      .where(eq(runs.status, 'completed'))
      .orderBy(desc(runs.id))
      .all();
    const first = !this.started;
    this.started = true;
    const fresh = rows.filter((row) => !this.seen.has(row.id));
    fresh.forEach((row, i) => {
      this.seen.add(row.id);
      if (!first || i < SLICES_AT_START) this.wantSlices.add(row.id);
    });
    this.storedMaps = new Set(rows.filter((row) => row.map !== null).map((row) => row.id));
    return rows.map((row) => row.id).filter((id) => this.wantSlices.has(id) || !this.storedMaps.has(id));
  }

  private needsMap(runId: number): boolean {
    return !this.storedMaps.has(runId) && this.maps.status(runMapKey(runId)).state === 'absent';
  }
}

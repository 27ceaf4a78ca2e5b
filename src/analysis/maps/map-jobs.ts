import type { Db } from '../../../db/client.ts';
import { JobBoard } from '../job-board.ts';
import type { JobStatus } from '../job-status.ts';
import { threadDataset } from '../../data/datasets/catalogue.ts';
import { loadTestEmbeddings } from '../../store/store.ts';
import { umapLayoutInThread } from './layout-in-thread.ts';
import type { LayoutInput } from './layout-input.ts';
import { loadMap, mapKeyName, saveMap, type MapKey, type StoredMap } from './map-store.ts';
import { LAYOUT_DEFAULTS, type LayoutOptions } from './umap-layout.ts';

export type MapStatus = JobStatus<StoredMap>;

type Layout = (input: LayoutInput, options: LayoutOptions) => Promise<Float32Array>;

/** Layouts computed at once: each takes a core for seconds to minutes, so the rest wait their turn. */
const PARALLEL_LAYOUTS = 1;

/**
 * The maps being computed by this process: what a page polls for progress. One per server (made
 * by its factory), so two requests for the same map share one computation, and sixteen requests
 * for sixteen maps run one after another instead of taking every core.
 */
export class MapJobs {
  private readonly board = new JobBoard();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly layout: Layout = umapLayoutInThread,
    private readonly options: Omit<LayoutOptions, 'onProgress'> = {},
  ) {}

  /** Where a map stands, without starting anything. */
  status(key: MapKey): MapStatus {
    const stored = loadMap(this.db, key);
    if (stored) return { state: 'ready', value: stored };
    const pending = this.board.status(mapKeyName(key));
    if (pending) return pending;
    if (key.runId !== null && !this.input(key)) {
      return { state: 'unavailable', reason: `run ${key.runId} has no stored embeddings (it has not completed)` };
    }
    return { state: 'absent' };
  }

  /** Starts computing a map that is absent (or failed before); returns where it stands. */
  start(key: MapKey): MapStatus {
    const status = this.status(key);
    if (status.state !== 'absent' && status.state !== 'failed') return status;
    this.compute(key).catch(() => {}); // the failure is kept for status()
    return this.status(key);
  }

  /** The stored map, computing it first if needed (or joining the computation under way). */
  async get(key: MapKey): Promise<StoredMap> {
    return loadMap(this.db, key) ?? this.compute(key);
  }

  /** What the layout is given; a dataset's pixels are read by its thread. Throws DatasetNotFoundError for an unknown dataset. */
  private input(key: MapKey): LayoutInput | null {
    if (key.source === 'pixels') return { kind: 'test-pixels', dataset: threadDataset(this.db, key.dataset, ['test']) };
    const embeddings = loadTestEmbeddings(this.db, key.runId);
    // Zero dimensions: a run recorded with an empty placeholder, nothing to map.
    if (!embeddings || embeddings.dimensions === 0) return null;
    return { kind: 'vectors', data: embeddings.vectors, dimensions: embeddings.dimensions };
  }

  private compute(key: MapKey): Promise<StoredMap> {
    const input = this.input(key);
    if (!input) return Promise.reject(new Error(`run ${key.runId} has no stored embeddings`));
    const seed = this.options.seed ?? LAYOUT_DEFAULTS.seed;
    const firstStage = this.running < PARALLEL_LAYOUTS ? 'starting' : 'waiting for another map to finish';
    return this.board.run(
      mapKeyName(key),
      async (report) => {
        await this.turn();
        const started = performance.now();
        const coordinates = await this.layout(input, { ...this.options, seed, onProgress: report }).finally(() => this.release());
        saveMap(this.db, { key, count: coordinates.length / 2, seed, coordinates, seconds: (performance.now() - started) / 1000 });
        return loadMap(this.db, key)!;
      },
      firstStage,
    );
  }

  /** Resolves when a layout may start; release() hands the slot to the next in line. */
  private turn(): Promise<void> {
    if (this.running < PARALLEL_LAYOUTS) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

import type { Db } from '../../../db/client.ts';
import type { JobStatus } from '../job-status.ts';
import { loadMnist } from '../../experiments/mnist.ts';
import { loadTestEmbeddings } from '../../experiments/store.ts';
import { umapLayoutInWorker } from './layout-in-worker.ts';
import { loadMap, mapKeyName, saveMap, type MapKey, type StoredMap } from './map-store.ts';
import { LAYOUT_DEFAULTS, type LayoutOptions } from './umap-layout.ts';

export type MapStatus = JobStatus<StoredMap>;

type Layout = (data: Float32Array | Uint8Array, dimensions: number, options: LayoutOptions) => Promise<Float32Array>;

interface Job {
  fraction: number;
  stage: string;
  done: Promise<StoredMap>;
}

/** Layouts computed at once: each takes a core for seconds to minutes, so the rest wait their turn. */
const PARALLEL_LAYOUTS = 1;

/**
 * The maps being computed by this process: what a page polls for progress. One per server (made
 * by its factory), so two requests for the same map share one computation, and sixteen requests
 * for sixteen maps run one after another instead of taking every core.
 */
export class MapJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly failures = new Map<string, string>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly layout: Layout = umapLayoutInWorker,
    private readonly options: Omit<LayoutOptions, 'onProgress'> = {},
  ) {}

  /** Where a map stands, without starting anything. */
  status(key: MapKey): MapStatus {
    const stored = loadMap(this.db, key);
    if (stored) return { state: 'ready', value: stored };
    const job = this.jobs.get(mapKeyName(key));
    if (job) return { state: 'computing', fraction: job.fraction, stage: job.stage };
    const error = this.failures.get(mapKeyName(key));
    if (error) return { state: 'failed', error };
    if (key.runId !== null && !this.input(key)) {
      return { state: 'unavailable', reason: `run ${key.runId} has no stored embeddings (it has not completed)` };
    }
    return { state: 'absent' };
  }

  /** Starts computing a map that is absent (or failed before); returns where it stands. */
  start(key: MapKey): MapStatus {
    const status = this.status(key);
    if (status.state !== 'absent' && status.state !== 'failed') return status;
    this.failures.delete(mapKeyName(key));
    this.compute(key).catch(() => {}); // the failure is kept for status()
    return this.status(key);
  }

  /** The stored map, computing it first if needed. */
  async get(key: MapKey): Promise<StoredMap> {
    return loadMap(this.db, key) ?? this.jobs.get(mapKeyName(key))?.done ?? this.compute(key);
  }

  private input(key: MapKey): { data: Float32Array | Uint8Array; dimensions: number } | null {
    if (key.runId === null) return { data: loadMnist('test').images, dimensions: 784 };
    const embeddings = loadTestEmbeddings(this.db, key.runId);
    // Zero dimensions: a run recorded with an empty placeholder, nothing to map.
    if (!embeddings || embeddings.dimensions === 0) return null;
    return { data: embeddings.vectors, dimensions: embeddings.dimensions };
  }

  private compute(key: MapKey): Promise<StoredMap> {
    const name = mapKeyName(key);
    const input = this.input(key);
    if (!input) return Promise.reject(new Error(`run ${key.runId} has no stored embeddings`));
    const progress = { fraction: 0, stage: this.running < PARALLEL_LAYOUTS ? 'starting' : 'waiting for another map to finish' };
    const seed = this.options.seed ?? LAYOUT_DEFAULTS.seed;
    let started = 0;
    const done = this.turn()
      .then(() => {
        started = performance.now();
        return this.layout(input.data, input.dimensions, {
          ...this.options,
          seed,
          onProgress: (fraction, stage) => Object.assign(progress, { fraction, stage }),
        });
      })
      .finally(() => this.release())
      .then((coordinates) => {
        const map = { key, count: coordinates.length / 2, seed, coordinates, seconds: (performance.now() - started) / 1000 };
        saveMap(this.db, map);
        return loadMap(this.db, key)!;
      })
      .catch((err: unknown) => {
        this.failures.set(name, err instanceof Error ? err.message : String(err));
        throw err;
      })
      .finally(() => this.jobs.delete(name));
    this.jobs.set(name, Object.assign(progress, { done }));
    return done;
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

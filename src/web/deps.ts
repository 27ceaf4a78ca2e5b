import type { Db } from '../../db/client.ts';
import type { ExplainThread } from '../analysis/explain/explain-in-thread.ts';
import type { MapJobs } from '../analysis/maps/map-jobs.ts';
import type { ModelJobs } from '../analysis/model-jobs/model-jobs.ts';
import type { RunAnalyses } from '../analysis/run-analyses/run-analyses.ts';
import type { RunQueue } from '../execution/queue.ts';
import type { RunStore } from '../store/run-store.ts';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { CompletedRunMemo } from './completed-run-memo.ts';
import type { DrawnGallery } from './run-results.ts';
import type { DatasetImages, TestImages } from './test-images.ts';

/** What the routes read and act on; createApp builds one per app, tests pass their own parts. */
export interface WebDeps {
  /** Where the routes read runs; every write to a run goes through `runs`. */
  db: Db;
  runs: RunStore;
  queue: RunQueue;
  images: TestImages;
  /** The MNIST training set, for nearest training images. */
  trainImages: TestImages;
  /** Any dataset's splits and class names (MNIST's are `images` and `trainImages`): a run's pages show its own dataset. */
  datasets: DatasetImages;
  /** Robustness curves and training embeddings in threads of their own, one set per app. */
  jobs: ModelJobs;
  /** UMAP maps, computed in a thread one at a time, stored. */
  maps: MapJobs;
  /** Discovered slices, the dataset facts and the label-issue ranking, computed in threads, kept in memory. */
  analyses: RunAnalyses;
  /** Attribution maps and the embeddings of explained images, one request at a time in a thread. */
  explainer: ExplainThread;
  /** The gallery pages of completed runs, drawn once. */
  galleries: CompletedRunMemo<DrawnGallery>;
  /** The fixed and broken images of compared pairs, drawn once. */
  pairImages: CompletedRunMemo<JSX.Element>;
  /** Why each completed run's model is degenerate (or null), for the runs list. */
  collapses: CompletedRunMemo<string | null>;
}

import type { Db } from '../../db/client.ts';
import type { ModelJobs } from '../analysis/model-jobs/model-jobs.ts';
import type { RunQueue } from '../execution/queue.ts';
import type { RunStore } from '../store/run-store.ts';
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
}

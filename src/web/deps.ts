import type { Db } from '../../db/client.ts';
import type { RunQueue } from '../experiments/queue.ts';
import type { TestImages } from './test-images.ts';

/** What the routes read and act on; createApp builds one per app, tests pass their own parts. */
export interface WebDeps {
  db: Db;
  queue: RunQueue;
  images: TestImages;
}

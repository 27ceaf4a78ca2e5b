import type { Db } from '../../db/client.ts';
import type { RunQueue } from '../experiments/queue.ts';
import type { TestImages } from './test-images.ts';
import type { LeasePolicy } from '../experiments/workers/leases.ts';

/** What the routes read and act on; createApp builds one per app, tests pass their own parts. */
export interface WebDeps {
  db: Db;
  queue: RunQueue;
  images: TestImages;
  /** How long a remote worker's claim lasts without a heartbeat, and how often it beats. */
  leases: LeasePolicy;
}

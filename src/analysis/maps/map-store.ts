import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { embeddingMaps, runs } from '../../../db/schema.ts';

/**
 * Which map: a run's test embeddings, or a dataset's test pixels (no run). Always the test set:
 * a 60,000-point train map would take minutes.
 */
export type MapKey = { source: 'embeddings'; runId: number } | { source: 'pixels'; runId: null; dataset: string };

export interface StoredMap {
  key: MapKey;
  count: number;
  seed: number;
  /** x, y per image, in dataset order. */
  coordinates: Float32Array;
  seconds: number;
  createdAt: Date;
}

export const runMapKey = (runId: number): MapKey => ({ source: 'embeddings', runId });
export const pixelMapKey = (dataset: string): MapKey => ({ source: 'pixels', runId: null, dataset });

/** A stable name for a key, for maps of jobs in flight. */
export const mapKeyName = (key: MapKey) => (key.source === 'pixels' ? `pixels:${key.dataset}` : `run:${key.runId}`);

function matching(key: MapKey) {
  const which = key.source === 'pixels' ? and(isNull(embeddingMaps.runId), eq(embeddingMaps.dataset, key.dataset)) : eq(embeddingMaps.runId, key.runId);
  return and(which, eq(embeddingMaps.source, key.source), eq(embeddingMaps.split, 'test'));
}

/** The dataset a map's row records: a pixel map's own, or its run's, read in the insert itself. */
const datasetOf = (key: MapKey) => (key.source === 'pixels' ? key.dataset : sql`(select ${runs.dataset} from ${runs} where ${runs.id} = ${key.runId})`);

export function loadMap(db: Db, key: MapKey): StoredMap | null {
  const row = db.select().from(embeddingMaps).where(matching(key)).get();
  if (!row) return null;
  // SQLite's buffers need not be 4-byte aligned, which Float32Array requires: copy.
  const coordinates = new Float32Array(row.coordinates.byteLength / 4);
  new Uint8Array(coordinates.buffer).set(row.coordinates);
  return { key, count: row.count, seed: row.seed, coordinates, seconds: row.seconds, createdAt: row.createdAt };
}

/** Stores a map, replacing an older one of the same key (a unique index cannot, with NULL run ids). */
export function saveMap(db: Db, map: Omit<StoredMap, 'createdAt'>): void {
  db.transaction((tx) => {
    tx.delete(embeddingMaps).where(matching(map.key)).run();
    tx.insert(embeddingMaps)
      .values({
        runId: map.key.runId,
        source: map.key.source,
        dataset: datasetOf(map.key),
        split: 'test',
        count: map.count,
        seed: map.seed,
        coordinates: Buffer.from(map.coordinates.buffer, map.coordinates.byteOffset, map.coordinates.byteLength),
        seconds: map.seconds,
        createdAt: new Date(),
      })
      .run();
  });
}

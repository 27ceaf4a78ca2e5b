import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { embeddingMaps } from '../../../db/schema.ts';

/**
 * Which map: a run's test embeddings, or the test set's raw pixels (no run). Always the test set:
 * a 60,000-point train map would take minutes.
 */
export type MapKey = { source: 'embeddings'; runId: number } | { source: 'pixels'; runId: null };

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
export const PIXEL_MAP_KEY: MapKey = { source: 'pixels', runId: null };

/** A stable name for a key, for maps of jobs in flight. */
export const mapKeyName = (key: MapKey) => (key.runId === null ? 'pixels' : `run:${key.runId}`);

function matching(key: MapKey) {
  return and(
    key.runId === null ? isNull(embeddingMaps.runId) : eq(embeddingMaps.runId, key.runId),
    eq(embeddingMaps.source, key.source),
    eq(embeddingMaps.split, 'test'),
  );
}

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

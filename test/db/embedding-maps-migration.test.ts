import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { loadMap, pixelMapKey, saveMap } from '../../src/analysis/maps/map-store.ts';
import { storeBefore } from '../helpers/old-store.ts';

/** The migration that gave maps a dataset: the pixel map of a store made before it is MNIST's. */
const FIRST_WITH_DATASET = '0019_pixel_maps_by_dataset';

describe('the embedding maps migration', () => {
  it("keeps a store's pixel map as MNIST's, and stores another dataset's beside it", () => {
    const { file, old } = storeBefore(FIRST_WITH_DATASET);
    const coordinates = new Float32Array([1.5, -2, 3, 4.25]);
    old
      .prepare("INSERT INTO embedding_maps (run_id, source, split, count, seed, coordinates, seconds, created_at) VALUES (NULL, 'pixels', 'test', 2, 42, ?, 12.5, 1000)")
      .run(Buffer.from(coordinates.buffer));
    old.close();

    const db = openDb(file);
    expect(loadMap(db, pixelMapKey('mnist'))).toEqual({ key: pixelMapKey('mnist'), count: 2, seed: 42, coordinates, seconds: 12.5, createdAt: new Date(1000) });
    expect(loadMap(db, pixelMapKey('shapes'))).toBeNull();
    // The key now holds the dataset: saving another dataset's map replaces nothing of MNIST's.
    saveMap(db, { key: pixelMapKey('shapes'), count: 1, seed: 7, coordinates: new Float32Array([9, 9]), seconds: 1 });
    expect(loadMap(db, pixelMapKey('shapes'))).toMatchObject({ count: 1, seed: 7, coordinates: new Float32Array([9, 9]) });
    expect(loadMap(db, pixelMapKey('mnist'))).toMatchObject({ count: 2, coordinates });
    db.$client.close();
  });
});

import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { datasetPixels } from '../../db/schema.ts';
import { DatasetNameTakenError, findRegisteredDataset, insertDataset, listDatasets, storedPixels } from '../../src/store/datasets.ts';

const dataset = (name: string) => ({
  name,
  kind: 'images' as const,
  path: `/data/${name}`,
  classNames: ['a', 'b'],
  classCounts: { train: [1, 1], test: [1, 0] },
  files: [{ path: 'train/a/0.png', sha256: '0'.repeat(64) }],
});
const pixels = (n: number) => ({ images: new Uint8Array(784 * n).fill(7), labels: Uint8Array.from({ length: n }, (_, i) => i % 2) });

describe('registered datasets in the store', () => {
  it('keeps a dataset with its decoded splits, and lists by name', () => {
    const db = openDb(':memory:');
    const row = insertDataset(db, dataset('zeta'), { train: pixels(2), test: pixels(1) });
    insertDataset(db, { ...dataset('alpha'), kind: 'idx' });
    expect(listDatasets(db).map((d) => d.name)).toEqual(['alpha', 'zeta']);
    expect(findRegisteredDataset(db, 'zeta')).toMatchObject({ classNames: ['a', 'b'], classCounts: { train: [1, 1], test: [1, 0] }, files: dataset('zeta').files });
    const train = storedPixels(db, row.id, 'train')!;
    expect([train.images.length, Array.from(train.labels)]).toEqual([1568, [0, 1]]);
    expect(storedPixels(db, findRegisteredDataset(db, 'alpha')!.id, 'train')).toBeNull();
  });

  it('refuses a name taken, keeping nothing of the second', () => {
    const db = openDb(':memory:');
    insertDataset(db, dataset('same'), { train: pixels(2), test: pixels(1) });
    expect(() => insertDataset(db, dataset('same'), { train: pixels(3), test: pixels(3) })).toThrow(DatasetNameTakenError);
    expect(listDatasets(db)).toHaveLength(1);
    expect(db.select().from(datasetPixels).all()).toHaveLength(2);
  });
});

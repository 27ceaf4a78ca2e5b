import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { datasetPixels, datasets } from '../../db/schema.ts';
import { DomainError } from '../core/errors.ts';

export type RegisteredDataset = typeof datasets.$inferSelect;
export type NewDataset = Omit<typeof datasets.$inferInsert, 'id' | 'createdAt'>;
type Split = 'train' | 'test';

/** A name is the key a dataset is asked for by, so two cannot share one; registering is refused, not replaced. */
export class DatasetNameTakenError extends DomainError {
  readonly kind = 'invalid';
  constructor(name: string) {
    super(`a dataset named '${name}' is registered already; pick another name`);
  }
}

/**
 * Records a checked dataset, and a picture folder's decoded splits with it, in one transaction:
 * a dataset is registered whole or not at all.
 */
export function insertDataset(db: Db, dataset: NewDataset, pixels?: Record<Split, { images: Uint8Array; labels: Uint8Array }>): RegisteredDataset {
  return db.transaction((tx) => {
    if (tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.name, dataset.name)).get()) throw new DatasetNameTakenError(dataset.name);
    const row = tx.insert(datasets).values({ ...dataset, createdAt: new Date() }).returning().get();
    for (const [split, { images, labels }] of Object.entries(pixels ?? {}) as [Split, { images: Uint8Array; labels: Uint8Array }][]) {
      tx.insert(datasetPixels).values({ datasetId: row.id, split, images: toBuffer(images), labels: toBuffer(labels) }).run();
    }
    return row;
  });
}

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function listDatasets(db: Db): RegisteredDataset[] {
  return db.select().from(datasets).orderBy(datasets.name).all();
}

export function findRegisteredDataset(db: Db, name: string): RegisteredDataset | null {
  return db.select().from(datasets).where(eq(datasets.name, name)).get() ?? null;
}

/** A picture folder's split as decoded when it was registered, or null for a dataset read from its files. */
export function storedPixels(db: Db, datasetId: number, split: Split): { images: Uint8Array; labels: Uint8Array } | null {
  const row = db
    .select({ images: datasetPixels.images, labels: datasetPixels.labels })
    .from(datasetPixels)
    .where(and(eq(datasetPixels.datasetId, datasetId), eq(datasetPixels.split, split)))
    .get();
  return row ? { images: bytesOf(row.images), labels: bytesOf(row.labels) } : null;
}

const bytesOf = (buffer: Buffer) => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

import * as tf from '@tensorflow/tfjs';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { trainEmbeddings } from '../../db/schema.ts';
import { packFloat16, unpackFloat16 } from '../store/float16.ts';
import { embeddingOutput } from '../models/model.ts';

export interface StoredEmbeddings {
  dimensions: number;
  vectors: Float32Array;
}

const BATCH = 1000;

/** Each model's embedding sub-model (null: it has none), built once: a query embeds one image, and building took longer than predicting. */
const embedders = new WeakMap<tf.LayersModel, tf.LayersModel | null>();

function embedderOf(model: tf.LayersModel): tf.LayersModel | null {
  if (!embedders.has(model)) {
    try {
      embedders.set(model, tf.model({ inputs: model.inputs, outputs: embeddingOutput(model) }));
    } catch {
      embedders.set(model, null);
    }
  }
  return embedders.get(model)!;
}

/** The embedding layer's output for `count` images (784 values each, [0,1]); null for a model without one. */
export function embedImages(model: tf.LayersModel, pixels: Float32Array, count: number): StoredEmbeddings | null {
  const embedder = embedderOf(model);
  if (!embedder) return null;
  const dimensions = embedder.outputs[0]!.shape[1]!;
  const vectors = new Float32Array(count * dimensions);
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(start + BATCH, count);
    const out = tf.tidy(() => embedder.predict(tf.tensor4d(pixels.subarray(start * 784, end * 784), [end - start, 28, 28, 1])) as tf.Tensor);
    vectors.set(out.dataSync() as Float32Array, start * dimensions);
    out.dispose();
  }
  return { dimensions, vectors };
}

export function saveTrainEmbeddings(db: Db, runId: number, embeddings: StoredEmbeddings, seconds: number): void {
  const row = {
    runId,
    count: embeddings.vectors.length / embeddings.dimensions,
    dimensions: embeddings.dimensions,
    vectors: packFloat16(embeddings.vectors),
    seconds,
  };
  db.insert(trainEmbeddings).values(row).onConflictDoUpdate({ target: trainEmbeddings.runId, set: row }).run();
}

export function loadTrainEmbeddings(db: Db, runId: number): StoredEmbeddings | null {
  const row = db.select().from(trainEmbeddings).where(eq(trainEmbeddings.runId, runId)).get();
  return row ? { dimensions: row.dimensions, vectors: unpackFloat16(row.vectors) } : null;
}

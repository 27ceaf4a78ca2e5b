import type { Db } from '../../../db/client.ts';
import { scaledPixels } from '../batches.ts';
import { loadTestEmbeddings, type Run } from '../store.ts';
import { toMnistBytes } from './digit-set.ts';
import { loadRunPredictor } from './predict.ts';

export interface Neighbour {
  /** Index in the MNIST test set. */
  index: number;
  distance: number;
}

/** The `k` stored vectors closest to `query` (Euclidean), nearest first. */
export function nearestVectors(vectors: Float32Array, dimensions: number, query: Float32Array, k: number): Neighbour[] {
  const count = vectors.length / dimensions;
  const distances = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += (vectors[i * dimensions + d]! - query[d]!) ** 2;
    distances[i] = Math.sqrt(sum);
  }
  return Array.from({ length: count }, (_, index) => index)
    .sort((a, b) => distances[a]! - distances[b]!)
    .slice(0, k)
    .map((index) => ({ index, distance: distances[index]! }));
}

/**
 * The MNIST test images that the run's embedding layer puts nearest to this digit. Test, not
 * training, images: runs store the test set's embeddings, and embedding 60,000 training images
 * per question would take seconds. Null when the run stored no embeddings.
 */
export async function nearestTestImages(db: Db, run: Run, input: Float32Array, k: number): Promise<Neighbour[] | null> {
  const stored = loadTestEmbeddings(db, run.id);
  if (!stored) return null;
  const model = await loadRunPredictor(db, run);
  const single = { images: toMnistBytes(input), labels: new Uint8Array(1), count: 1 };
  const [query] = await model.predict(scaledPixels(single, 0, 1), 1, true);
  model.dispose();
  return nearestVectors(stored.vectors, stored.dimensions, query!, k);
}

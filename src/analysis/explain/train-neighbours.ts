import { DomainError } from '../../core/errors.ts';
import type { RunModel } from '../../models/run-model.ts';
import type { Run } from '../../store/store.ts';
import { nearestVectors, type Neighbour } from '../own-digits/neighbours.ts';
import { embedImages } from '../../training/train-embeddings.ts';
import type { ModelJobs } from '../model-jobs/model-jobs.ts';

/** Why a run has no nearest training images, for pages and the CLI. */
export class NeighboursUnavailableError extends DomainError { readonly kind = 'unavailable'; }

/**
 * The MNIST training images nearest to `image` in the run's embedding: which examples look like
 * this to the model. The embeddings of the training images the run learned from (up to 48,000)
 * are computed once per run (in a worker) and kept; each query after that embeds one image and scans them.
 */
export async function nearestTrainImages(jobs: ModelJobs, run: Run, model: RunModel, image: Float32Array, k: number): Promise<Neighbour[]> {
  if (!model.layers) throw new NeighboursUnavailableError(`nearest training images need the model's embedding layer: ${model.noGradients}`);
  const query = embedImages(model.layers, image, 1);
  if (!query) throw new NeighboursUnavailableError(`run ${run.id}'s model has no layer named embedding to compare images in`);
  const stored = await jobs.trainEmbeddings(run);
  return nearestVectors(stored.vectors, stored.dimensions, query.vectors, k);
}

import { UMAP } from 'umap-js';
import type { Neighbours } from './knn.ts';
import { MIN_DIST, type GraphLayoutOptions } from './umap-layout.ts';

/**
 * umap-js's own graph and optimisation on the same neighbours and settings as
 * layoutFromNeighbours: the reference our typed-array version is checked and benchmarked against.
 */
export function umapJsLayoutFromNeighbours(knn: Neighbours, options: GraphLayoutOptions): Float64Array {
  const umap = new UMAP({ nComponents: 2, nNeighbors: knn.indices[0]!.length, minDist: MIN_DIST, nEpochs: options.epochs, random: options.random });
  umap.setPrecomputedKNN(knn.indices, knn.distances);
  // With the neighbours given, umap-js reads only how many rows there are, not their values.
  const total = umap.initializeFit(knn.indices.map(() => []));
  for (let epoch = 0; epoch < total; epoch++) {
    const done = umap.step();
    options.onEpoch?.(done);
  }
  return Float64Array.from(umap.getEmbedding().flat());
}

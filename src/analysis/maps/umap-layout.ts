import { seededRandom } from '../../core/random.ts';
import { fuzzySimplicialSet } from './fuzzy-graph.ts';
import { exactNeighbours, type Neighbours } from './knn.ts';
import { optimiseLayout } from './layout-optimisation.ts';
import { projectToPrincipalComponents } from './pca.ts';

export interface LayoutOptions {
  seed?: number;
  /** Principal components kept before the neighbour search. */
  components?: number;
  neighbours?: number;
  epochs?: number;
  /** Called with the fraction done, 0 to 1, at each stage and every few epochs. */
  onProgress?: (fraction: number, stage: string) => void;
}

// Fewer neighbours (10, not 15) and epochs (120, not umap-learn's 200) than usual: the optimisation,
// still the largest part, costs in proportion to epochs x edges, and umap-learn's values would about
// double it, past the 5 s a 10,000-point map is allowed on a shared 2-core machine. With these a map
// of pixels or embeddings still separates the digits cleanly (checked by eye on rendered maps).
export const LAYOUT_DEFAULTS = { seed: 42, components: 20, neighbours: 10, epochs: 120 } as const;

/** How tightly points may pack on the map (UMAP's min_dist). */
export const MIN_DIST = 0.1;

/** Share of the work the steps before the epochs take, for a progress bar that moves evenly. */
const PREPARATION = 0.4;

/** The part of a layout after the neighbour search: the fuzzy graph, then the optimisation. */
export interface GraphLayoutOptions {
  epochs: number;
  random: () => number;
  onEpoch?: (done: number) => void;
}

/** UMAP's fuzzy simplicial set of the neighbours, laid out in 2-D; x, y per point. */
export function layoutFromNeighbours(knn: Neighbours, options: GraphLayoutOptions): Float64Array {
  return optimiseLayout(fuzzySimplicialSet(knn), { ...options, minDist: MIN_DIST });
}

/**
 * A seeded 2-D UMAP layout of `count` points of `dimensions` values each; returns x, y per point.
 * The same input and seed give the same layout: every random number comes from `random`.
 */
export function umapLayout(data: ArrayLike<number>, dimensions: number, options: LayoutOptions = {}): Float32Array {
  const settings = { ...LAYOUT_DEFAULTS, ...options };
  const { seed, components, epochs } = settings;
  // A small dataset's test set (a picture folder of a few dozen) may have fewer other points than
  // neighbours asked for (the graph needs that many each): each point then has all the others.
  const neighbours = Math.min(settings.neighbours, data.length / dimensions - 1);
  const progress = options.onProgress ?? (() => {});
  const random = seededRandom(seed);
  progress(0, 'projecting');
  const projected = projectToPrincipalComponents(data, dimensions, components, random);
  const width = projected.length / (data.length / dimensions);
  progress(0.1, 'finding neighbours');
  const knn = exactNeighbours(projected, width, neighbours);
  progress(0.3, 'building the graph');
  const layout = layoutFromNeighbours(knn, {
    epochs,
    random,
    onEpoch: (done) => {
      if (done % 10 === 0) progress(PREPARATION + ((1 - PREPARATION) * done) / epochs, 'optimising');
    },
  });
  progress(1, 'done');
  return Float32Array.from(layout);
}

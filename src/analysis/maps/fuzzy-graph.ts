import type { Neighbours } from './knn.ts';

/**
 * UMAP's fuzzy simplicial set as a symmetric edge list, ordered by row then column (the order
 * umap-js's SparseMatrix.getAll gives, so the optimisation visits edges as umap-js does).
 * Each undirected edge appears twice, once from each end; weights are in (0, 1].
 */
export interface FuzzyGraph {
  count: number;
  rows: Int32Array;
  columns: Int32Array;
  weights: Float64Array;
}

// umap-js's constants for the sigma search (umap.ts: SMOOTH_K_TOLERANCE, MIN_K_DIST_SCALE).
const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const SIGMA_SEARCH_STEPS = 64;

/**
 * Per point, rho (the distance to its nearest other point) and sigma (the bandwidth at which its
 * k memberships sum to log2 k), by umap-js's bisection with local connectivity 1.
 */
export function smoothNeighbourDistances(distances: number[][], k: number): { sigmas: Float64Array; rhos: Float64Array } {
  const target = Math.log(k) / Math.log(2);
  const count = distances.length;
  const rhos = new Float64Array(count);
  const sigmas = new Float64Array(count);
  let meanOfMeans: number | undefined; // the floor for points whose neighbours all sit at distance 0
  for (let i = 0; i < count; i++) {
    const own = distances[i]!;
    const nearestOther = own.find((d) => d > 0);
    if (nearestOther !== undefined) rhos[i] = nearestOther;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let step = 0; step < SIGMA_SEARCH_STEPS; step++) {
      let sum = 0;
      for (let j = 1; j < own.length; j++) {
        const d = own[j]! - rhos[i]!;
        sum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(sum - target) < SMOOTH_K_TOLERANCE) break;
      if (sum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    // A floor on sigma keeps memberships finite where all neighbours are (nearly) equidistant.
    const floor = rhos[i]! > 0 ? MIN_K_DIST_SCALE * mean(own) : MIN_K_DIST_SCALE * (meanOfMeans ??= mean(distances.map(mean)));
    sigmas[i] = Math.max(mid, floor);
  }
  return { sigmas, rhos };
}

function mean(values: number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * The fuzzy union A + Aᵀ - A∘Aᵀ of the directed membership strengths
 * A[i][j] = exp(-(d(i,j) - rho_i) / sigma_i), built row by row in typed arrays: umap-js builds the
 * same matrix in Map-keyed sparse matrices, which took seconds for 10,000 points.
 */
export function fuzzySimplicialSet(knn: Neighbours): FuzzyGraph {
  const count = knn.indices.length;
  const k = knn.indices[0]?.length ?? 0;
  const { sigmas, rhos } = smoothNeighbourDistances(knn.distances, k);
  // Each directed strength lands in two rows: as A in its own row, as Aᵀ in its neighbour's.
  const starts = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    for (const j of knn.indices[i]!) {
      starts[i + 1]!++;
      starts[j + 1]!++;
    }
  }
  for (let i = 0; i < count; i++) starts[i + 1]! += starts[i]!;
  const filled = starts.slice(0, count);
  const columns = new Int32Array(starts[count]!);
  const forward = new Float64Array(columns.length); // A[row][column], 0 where absent
  const backward = new Float64Array(columns.length); // A[column][row], 0 where absent
  for (let i = 0; i < count; i++) {
    const indices = knn.indices[i]!;
    const distances = knn.distances[i]!;
    for (let n = 0; n < indices.length; n++) {
      const j = indices[n]!;
      const beyond = distances[n]! - rhos[i]!;
      const strength = j === i ? 0 : beyond <= 0 ? 1 : Math.exp(-(beyond / sigmas[i]!));
      const here = filled[i]!++;
      columns[here] = j;
      forward[here] = strength;
      const there = filled[j]!++;
      columns[there] = i;
      backward[there] = strength;
    }
  }
  return mergeRows(count, starts, columns, forward, backward);
}

/** Sorts each row by column, joins the A and Aᵀ entries of one (row, column), keeps non-zero unions. */
function mergeRows(count: number, starts: Int32Array, columns: Int32Array, forward: Float64Array, backward: Float64Array): FuzzyGraph {
  const rows: number[] = [];
  const outColumns: number[] = [];
  const weights: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < count; i++) {
    order.length = 0;
    for (let e = starts[i]!; e < starts[i + 1]!; e++) order.push(e);
    order.sort((x, y) => columns[x]! - columns[y]!);
    for (let o = 0; o < order.length; o++) {
      const e = order[o]!;
      let a = forward[e]!;
      let aT = backward[e]!;
      // A (row, column) pair appears at most twice: once from each side's neighbour list.
      const next = order[o + 1];
      if (next !== undefined && columns[next] === columns[e]) {
        a += forward[next]!;
        aT += backward[next]!;
        o++;
      }
      const union = a + aT - a * aT;
      if (union === 0) continue;
      rows.push(i);
      outColumns.push(columns[e]!);
      weights.push(union);
    }
  }
  return { count, rows: Int32Array.from(rows), columns: Int32Array.from(outColumns), weights: Float64Array.from(weights) };
}

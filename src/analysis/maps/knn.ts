/** Each point's nearest neighbours, itself first, as umap-js's setPrecomputedKNN takes them. */
export interface Neighbours {
  indices: number[][];
  distances: number[][];
}

const BLOCK = 512;

/**
 * Exact k nearest neighbours by Euclidean distance. umap-js's own approximate search (NN-descent
 * on number[][]) took 18 s for 10,000 x 64 here; this brute force over flat Float64Arrays, with
 * |a-b|^2 = |a|^2 + |b|^2 - 2ab and points in cache-sized blocks, is exact. Each pair's distance
 * is computed once and offered to both points' lists (half the products of a full matrix), in
 * ascending order of the other point, so ties fall as a row-by-row scan would break them.
 */
export function exactNeighbours(vectors: Float32Array, dimensions: number, k: number): Neighbours {
  const count = vectors.length / dimensions;
  const data = Float64Array.from(vectors); // doubles: no float32 -> float64 conversion per product
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += data[i * dimensions + d]! ** 2;
    norms[i] = sum;
  }
  const lists = new NearestLists(count, k);
  for (let first = 0; first < count; first += BLOCK) {
    const firstEnd = Math.min(first + BLOCK, count);
    for (let second = first; second < count; second += BLOCK) {
      const secondEnd = Math.min(second + BLOCK, count);
      // Four rows per pass over the second block, so each loaded point serves four dot products.
      for (let i = first; i < firstEnd; i += 4) {
        const lanes = Math.min(4, firstEnd - i);
        const a0 = i * dimensions;
        const a1 = lanes > 1 ? a0 + dimensions : a0;
        const a2 = lanes > 2 ? a0 + 2 * dimensions : a0;
        const a3 = lanes > 3 ? a0 + 3 * dimensions : a0;
        // Within the diagonal block only pairs j > i: each pair once, never a point with itself.
        for (let j = second === first ? i + 1 : second; j < secondEnd; j++) {
          const b = j * dimensions;
          let d0 = 0;
          let d1 = 0;
          let d2 = 0;
          let d3 = 0;
          for (let d = 0; d < dimensions; d++) {
            const x = data[b + d]!;
            d0 += data[a0 + d]! * x;
            d1 += data[a1 + d]! * x;
            d2 += data[a2 + d]! * x;
            d3 += data[a3 + d]! * x;
          }
          const base = norms[j]!;
          lists.offerPair(i, j, norms[i]! + base - 2 * d0);
          if (lanes > 1 && j > i + 1) lists.offerPair(i + 1, j, norms[i + 1]! + base - 2 * d1);
          if (lanes > 2 && j > i + 2) lists.offerPair(i + 2, j, norms[i + 2]! + base - 2 * d2);
          if (lanes > 3 && j > i + 3) lists.offerPair(i + 3, j, norms[i + 3]! + base - 2 * d3);
        }
      }
    }
  }
  return lists.neighbours();
}

/** Each point's k nearest so far, ascending by squared distance, the point itself first. */
class NearestLists {
  private readonly indices: Int32Array;
  private readonly squared: Float64Array;
  /** Each list's last (k-th) squared distance, apart: most offers are turned away by it alone, from cache. */
  private readonly worst: Float64Array;

  constructor(
    private readonly count: number,
    private readonly k: number,
  ) {
    this.indices = new Int32Array(count * k).fill(-1);
    this.squared = new Float64Array(count * k).fill(Infinity);
    this.worst = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      this.indices[i * k] = i;
      this.squared[i * k] = -Infinity;
      this.worst[i] = this.squared[i * k + k - 1]!; // -Infinity when k is 1: the list is full with itself
    }
  }

  offerPair(i: number, j: number, squared: number): void {
    this.offer(i, j, squared);
    this.offer(j, i, squared);
  }

  /** Inserts after any equal distance, and not at all when it only ties the worst: first come, first kept. */
  private offer(row: number, candidate: number, squared: number): void {
    if (!(squared < this.worst[row]!)) return;
    const base = row * this.k;
    let at = base + this.k - 1;
    while (at > base + 1 && this.squared[at - 1]! > squared) {
      this.squared[at] = this.squared[at - 1]!;
      this.indices[at] = this.indices[at - 1]!;
      at--;
    }
    this.squared[at] = squared;
    this.indices[at] = candidate;
    this.worst[row] = this.squared[base + this.k - 1]!;
  }

  neighbours(): Neighbours {
    const indices: number[][] = [];
    const distances: number[][] = [];
    for (let i = 0; i < this.count; i++) {
      const base = i * this.k;
      indices.push(Array.from(this.indices.subarray(base, base + this.k)));
      distances.push(Array.from(this.squared.subarray(base, base + this.k), (s, n) => (n === 0 ? 0 : Math.sqrt(Math.max(0, s)))));
    }
    return { indices, distances };
  }
}

/** Indices of the k smallest values, ascending, with `self` forced first (distance 0). */
export function smallest(values: Float64Array, k: number, self: number): number[] {
  const best: number[] = [self];
  for (let j = 0; j < values.length; j++) {
    if (j === self) continue;
    const value = values[j]!;
    if (best.length === k && value >= values[best[k - 1]!]!) continue;
    if (best.length === k) best.pop();
    let at = best.length;
    while (at > 1 && values[best[at - 1]!]! > value) at--;
    best.splice(at, 0, j);
  }
  return best;
}

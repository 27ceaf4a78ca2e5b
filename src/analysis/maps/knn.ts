/** Each point's nearest neighbours, itself first, as umap-js's setPrecomputedKNN takes them. */
export interface Neighbours {
  indices: number[][];
  distances: number[][];
}

const BLOCK = 256;

/**
 * Exact k nearest neighbours by Euclidean distance. umap-js's own approximate search (NN-descent
 * on number[][]) took 18 s for 10,000 x 64 here; this brute force over flat Float32Arrays, with
 * |a-b|^2 = |a|^2 + |b|^2 - 2ab and rows in cache-sized blocks, takes a few seconds and is exact.
 */
export function exactNeighbours(vectors: Float32Array, dimensions: number, k: number): Neighbours {
  const count = vectors.length / dimensions;
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dimensions; d++) sum += vectors[i * dimensions + d]! ** 2;
    norms[i] = sum;
  }
  const indices: number[][] = [];
  const distances: number[][] = [];
  const squared = new Float64Array(BLOCK * count);
  const data = Float64Array.from(vectors); // doubles: no float32 -> float64 conversion per product
  for (let start = 0; start < count; start += BLOCK) {
    const rows = Math.min(BLOCK, count - start);
    // Four query rows per pass over the data, so each loaded point serves four dot products.
    for (let r = 0; r < rows; r += 4) {
      const a0 = (start + r) * dimensions;
      const lanes = Math.min(4, rows - r);
      const a1 = lanes > 1 ? a0 + dimensions : a0;
      const a2 = lanes > 2 ? a0 + 2 * dimensions : a0;
      const a3 = lanes > 3 ? a0 + 3 * dimensions : a0;
      for (let j = 0; j < count; j++) {
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
        const row = r * count + j;
        const base = norms[j]!;
        squared[row] = norms[start + r]! + base - 2 * d0;
        if (lanes > 1) squared[row + count] = norms[start + r + 1]! + base - 2 * d1;
        if (lanes > 2) squared[row + 2 * count] = norms[start + r + 2]! + base - 2 * d2;
        if (lanes > 3) squared[row + 3 * count] = norms[start + r + 3]! + base - 2 * d3;
      }
    }
    for (let r = 0; r < rows; r++) {
      const nearest = smallest(squared.subarray(r * count, (r + 1) * count), k, start + r);
      indices.push(nearest);
      distances.push(nearest.map((j) => Math.sqrt(Math.max(0, squared[r * count + j]!))));
    }
  }
  return { indices, distances };
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

export interface Clustering {
  /** Cluster of each point, 0..k-1. */
  assignment: Int32Array;
  /** k centroids, `dimensions` values each. */
  centroids: Float64Array;
}

function squaredDistance(data: ArrayLike<number>, at: number, centroids: Float64Array, c: number, dimensions: number): number {
  let sum = 0;
  for (let d = 0; d < dimensions; d++) sum += (data[at + d]! - centroids[c * dimensions + d]!) ** 2;
  return sum;
}

/**
 * Lloyd's k-means with k-means++ seeding, driven by `random` so a seed gives the same clusters.
 * `points` lists the rows of `data` to cluster (one class's images, say).
 */
export function kMeans(
  data: ArrayLike<number>,
  dimensions: number,
  points: number[],
  k: number,
  random: () => number,
  maxIterations = 50,
): Clustering {
  const n = points.length;
  const clusters = Math.min(k, n);
  const centroids = new Float64Array(clusters * dimensions);
  const nearest = new Float64Array(n).fill(Infinity);
  const place = (c: number, point: number) => {
    for (let d = 0; d < dimensions; d++) centroids[c * dimensions + d] = data[points[point]! * dimensions + d]!;
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i]!, squaredDistance(data, points[i]! * dimensions, centroids, c, dimensions));
  };
  place(0, Math.floor(random() * n));
  for (let c = 1; c < clusters; c++) {
    // k-means++: the next centre is a point drawn with probability proportional to its squared distance.
    const total = nearest.reduce((sum, v) => sum + v, 0);
    let target = random() * total;
    let chosen = 0;
    while (chosen < n - 1 && (target -= nearest[chosen]!) > 0) chosen++;
    place(c, chosen);
  }
  const assignment = new Int32Array(n).fill(-1);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let c = 0; c < clusters; c++) {
        const distance = squaredDistance(data, points[i]! * dimensions, centroids, c, dimensions);
        if (distance < bestDistance) {
          best = c;
          bestDistance = distance;
        }
      }
      if (assignment[i] !== best) moved++;
      assignment[i] = best;
    }
    if (moved === 0) break;
    recomputeCentroids(data, dimensions, points, assignment, centroids);
  }
  return { assignment, centroids };
}

/** Each centroid becomes the mean of its members; an emptied cluster keeps its old centre. */
function recomputeCentroids(data: ArrayLike<number>, dimensions: number, points: number[], assignment: Int32Array, centroids: Float64Array): void {
  const clusters = centroids.length / dimensions;
  const sums = new Float64Array(centroids.length);
  const counts = new Int32Array(clusters);
  points.forEach((point, i) => {
    const c = assignment[i]!;
    counts[c]!++;
    for (let d = 0; d < dimensions; d++) sums[c * dimensions + d]! += data[point * dimensions + d]!;
  });
  for (let c = 0; c < clusters; c++) {
    if (counts[c] === 0) continue;
    for (let d = 0; d < dimensions; d++) centroids[c * dimensions + d] = sums[c * dimensions + d]! / counts[c]!;
  }
}

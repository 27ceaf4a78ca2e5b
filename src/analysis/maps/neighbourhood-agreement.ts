import { exactNeighbours } from './knn.ts';

/**
 * How well a layout keeps neighbourhoods: the mean share of each point's k nearest neighbours in
 * the input that are also among its k nearest on the layout (1 = every neighbourhood kept).
 */
export function neighbourhoodAgreement(input: Float32Array, dimensions: number, layout: Float32Array, k: number): number {
  const before = exactNeighbours(input, dimensions, k + 1).indices;
  const after = exactNeighbours(layout, 2, k + 1).indices;
  let shared = 0;
  for (let i = 0; i < before.length; i++) {
    const onLayout = new Set(after[i]!.slice(1)); // slice(1): each list starts with the point itself
    for (const j of before[i]!.slice(1)) if (onLayout.has(j)) shared++;
  }
  return shared / (before.length * k);
}

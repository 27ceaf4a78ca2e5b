import { describe, expect, it } from 'vitest';
import { fuzzySimplicialSet } from '../../../src/analysis/maps/fuzzy-graph.ts';
import { exactNeighbours } from '../../../src/analysis/maps/knn.ts';
import { seededRandom } from '../../../src/core/random.ts';

describe('fuzzySimplicialSet', () => {
  // Twelve points on a line at uneven gaps: neighbour lists are lopsided, so A is not symmetric.
  const points = Float32Array.from([0, 1, 1.5, 4, 4.2, 9, 9.1, 9.5, 15, 22, 22.3, 30]);
  const knn = exactNeighbours(points, 1, 4);
  const graph = fuzzySimplicialSet(knn);
  const weightOf = (row: number, column: number) => {
    for (let e = 0; e < graph.rows.length; e++) if (graph.rows[e] === row && graph.columns[e] === column) return graph.weights[e]!;
    return 0;
  };

  it('is symmetric, with weights in (0, 1] and no self-loops', () => {
    for (let e = 0; e < graph.rows.length; e++) {
      expect(graph.weights[e]).toBeGreaterThan(0);
      expect(graph.weights[e]).toBeLessThanOrEqual(1);
      expect(graph.rows[e]).not.toBe(graph.columns[e]);
      expect(weightOf(graph.columns[e]!, graph.rows[e]!)).toBe(graph.weights[e]);
    }
  });

  it('lists edges by row, then column, each pair once', () => {
    for (let e = 1; e < graph.rows.length; e++) {
      const order = graph.rows[e - 1]! - graph.rows[e]! || graph.columns[e - 1]! - graph.columns[e]!;
      expect(order).toBeLessThan(0);
    }
  });

  it('joins each point to its nearest neighbour with full strength and to a one-sided neighbour by the union', () => {
    // A point's nearest other point sits at distance rho, where its membership is exactly 1.
    for (let i = 0; i < points.length; i++) expect(weightOf(i, knn.indices[i]![1]!)).toBeCloseTo(1, 12);
    // Point 11 (at 30) lists 8 (at 15) among its 4 nearest; 8 does not list 11: the union is A alone.
    expect(knn.indices[8]).not.toContain(11);
    expect(knn.indices[11]).toContain(8);
    const oneSided = weightOf(11, 8);
    expect(oneSided).toBeGreaterThan(0);
    expect(oneSided).toBeLessThan(1);
  });

  it('gives every point a path into the graph', () => {
    const random = seededRandom(1);
    const cloud = Float32Array.from({ length: 200 * 3 }, () => random());
    const big = fuzzySimplicialSet(exactNeighbours(cloud, 3, 6));
    expect(new Set(big.rows).size).toBe(200);
  });
});

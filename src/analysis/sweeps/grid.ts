/**
 * Every combination of the axes' values, the last axis varying fastest, so that the runs of one
 * grid point (its seeds, when seed is the last axis) sit next to each other.
 */
export function gridPoints<V>(axes: Record<string, readonly V[]>): Record<string, V>[] {
  return Object.entries(axes).reduce<Record<string, V>[]>(
    (points, [name, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [name]: value }))),
    [{}],
  );
}

/** How many points gridPoints would build, counted without building them (a typo can ask for billions). */
export function gridSize(axes: Record<string, readonly unknown[]>): number {
  return Object.values(axes).reduce((count, values) => count * values.length, 1);
}

/** The seeds a sweep trains each grid point with: `count` consecutive ones, so a sweep can be repeated exactly. */
export function consecutiveSeeds(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

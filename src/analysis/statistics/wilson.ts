export interface Interval {
  low: number;
  high: number;
}

/** The normal quantile for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a proportion `successes / trials`. Unlike the normal approximation it
 * stays inside [0, 1] and is honest for small slices and for rates near 0, which error rates are.
 */
export function wilsonInterval(successes: number, trials: number, z = Z95): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

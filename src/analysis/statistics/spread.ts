export interface Spread {
  mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value, which has no spread to estimate. */
  sd: number;
  n: number;
}

export function spreadOf(values: number[]): Spread | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, sd: n > 1 ? Math.sqrt(squares / (n - 1)) : 0, n };
}

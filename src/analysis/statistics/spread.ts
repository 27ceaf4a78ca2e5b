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

/** Mean ± sd as a person reads it; one value has no spread, and "± 0" would claim a perfectly stable result. */
export function spreadText(spread: Spread, format: (v: number) => string): string {
  return spread.n === 1 ? `${format(spread.mean)} (1 seed, no spread)` : `${format(spread.mean)} ± ${format(spread.sd)}`;
}

/** Below this p the difference is called unlikely to be chance: the conventional 5% level. */
export const SIGNIFICANCE_LEVEL = 0.05;

/** Percentage points; one decimal, except that a difference below 0.1 points keeps one significant digit. */
export function points(difference: number): string {
  const value = Math.abs(difference) * 100;
  return value >= 0.1 ? value.toFixed(1) : String(Number(value.toPrecision(1)));
}

/** Two significant digits, as a person quotes a p-value; tiny ones as a bound. */
export function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001';
  return `p = ${Number(p.toPrecision(2))}`;
}

/** Two models in one sentence: which is better on these images, by how much, and whether chance explains it. */
export function verdict(accuracyDifference: number, p: number): string {
  if (accuracyDifference === 0) return `A and B are equally accurate (${formatP(p)})`;
  const direction = accuracyDifference > 0 ? 'better' : 'worse';
  const judgement = p < SIGNIFICANCE_LEVEL ? 'unlikely to be chance' : 'this could be chance';
  return `B is ${direction} by ${points(accuracyDifference)} points; ${judgement}, ${formatP(p)}`;
}


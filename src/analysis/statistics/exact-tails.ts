/**
 * Exact one-sided tails for "is this group's error higher than chance would give?". Terms are
 * summed in log space: the binomial coefficients of a 1,000-image class overflow doubles.
 */

const logFactorials: number[] = [0];

function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[n]!;
}

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

function sumOfExps(logTerms: number[]): number {
  if (logTerms.length === 0) return 0;
  const largest = Math.max(...logTerms);
  return Math.exp(largest) * logTerms.reduce((sum, term) => sum + Math.exp(term - largest), 0);
}

/** P(X >= k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const terms: number[] = [];
  for (let i = k; i <= n; i++) terms.push(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, sumOfExps(terms));
}

/**
 * P(X >= k) for X ~ Hypergeometric: `drawn` items taken without replacement from `population`
 * items of which `marked` are marked. This is the one-sided Fisher exact test of a group of
 * `drawn` images with `k` errors against the rest of a class with `marked` errors in all.
 */
export function hypergeometricUpperTail(k: number, population: number, marked: number, drawn: number): number {
  const lowest = Math.max(0, drawn - (population - marked));
  const highest = Math.min(drawn, marked);
  if (k <= lowest) return 1;
  if (k > highest) return 0;
  const denominator = logChoose(population, drawn);
  const terms: number[] = [];
  for (let i = k; i <= highest; i++) {
    terms.push(logChoose(marked, i) + logChoose(population - marked, drawn - i) - denominator);
  }
  return Math.min(1, sumOfExps(terms));
}

/**
 * McNemar's exact test: under "both runs are equally accurate", each image on which exactly one
 * run is right is equally likely to favour either, so the split of the discordant pairs is
 * Binomial(n, 1/2). Two-sided p is twice the smaller tail, capped at 1.
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  const k = Math.min(onlyA, onlyB);
  if (n === 0) return 1;
  // Terms in log space: C(n, i) / 2^n underflows doubles long before n reaches 10,000.
  const logHalfPowN = -n * Math.LN2;
  const logTerms: number[] = [];
  let logBinomial = 0;
  for (let i = 0; i <= k; i++) {
    logTerms.push(logBinomial + logHalfPowN);
    logBinomial += Math.log(n - i) - Math.log(i + 1);
  }
  const largest = Math.max(...logTerms);
  const tail = Math.exp(largest) * logTerms.reduce((sum, term) => sum + Math.exp(term - largest), 0);
  return Math.min(1, 2 * tail);
}

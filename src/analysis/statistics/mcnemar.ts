import { binomialUpperTail } from './exact-tails.ts';

/**
 * McNemar's exact test: under "both runs are equally accurate", each image on which exactly one
 * run is right is equally likely to favour either, so the split of the discordant pairs is
 * Binomial(n, 1/2). Two-sided p is twice the tail beyond the larger side (by symmetry, the same
 * as below the smaller), capped at 1.
 */
export function mcnemarExactP(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialUpperTail(Math.max(onlyA, onlyB), n, 0.5));
}

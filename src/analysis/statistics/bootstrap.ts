import { seededRandom } from '../../core/random.ts';

export interface Interval {
  low: number;
  high: number;
}

/**
 * Percentile bootstrap interval of accuracy(B) - accuracy(A). Images are resampled as pairs (both
 * runs' verdicts on an image travel together), because the runs share one test set: their errors
 * are correlated, and resampling them independently would overstate the uncertainty.
 * `perImage[i]` is +1 where only B is right, -1 where only A is, 0 where they agree.
 */
export function bootstrapDifferenceInterval(
  perImage: Int8Array,
  options: { resamples?: number; confidence?: number; seed?: number } = {},
): Interval {
  const { resamples = 2000, confidence = 0.95, seed = 1 } = options;
  const n = perImage.length;
  if (n === 0) return { low: 0, high: 0 };
  const random = seededRandom(seed);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += perImage[Math.floor(random() * n)]!;
    differences[r] = sum / n;
  }
  differences.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number) => differences[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { low: at(tail), high: at(1 - tail) };
}

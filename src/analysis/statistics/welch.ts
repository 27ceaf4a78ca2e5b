/**
 * Welch's t-test: do two groups of per-seed accuracies have different means, without assuming
 * they spread alike? Seeds are few, so the t distribution, not the normal, gives the p-value.
 */

/** ln Γ(x) by Lanczos (g = 7, n = 9): ample for the degrees of freedom a handful of seeds give. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-14) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function regularisedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(|T| >= |t|) for T with `df` degrees of freedom. */
export function studentTwoSidedP(t: number, df: number): number {
  return regularisedBeta(df / (df + t * t), df / 2, 0.5);
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const variance = (values: number[]) => {
  const m = mean(values);
  return values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
};

/** Two-sided p of Welch's t-test on two samples of at least two values each. */
export function welchTTestP(xs: number[], ys: number[]): number {
  if (xs.length < 2 || ys.length < 2) throw new Error("Welch's t-test needs at least two values a side");
  const [vx, vy] = [variance(xs) / xs.length, variance(ys) / ys.length];
  const difference = mean(ys) - mean(xs);
  const se2 = vx + vy;
  // Both sides without any spread: the means are either identical or certainly apart.
  if (se2 === 0) return difference === 0 ? 1 : 0;
  const t = difference / Math.sqrt(se2);
  const df = se2 ** 2 / (vx ** 2 / (xs.length - 1) + vy ** 2 / (ys.length - 1));
  return studentTwoSidedP(t, df);
}

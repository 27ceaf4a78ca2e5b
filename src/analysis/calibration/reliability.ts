/** Guo et al. (2017) use 15 equal-width bins of confidence; so do most papers since. */
export const CALIBRATION_BINS = 15;
/** A mistake made this sure is overconfident beyond doubt. */
export const OVERCONFIDENT = 0.99;

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  correct: number;
  /** Null for an empty bin: there is nothing to measure. */
  accuracy: number | null;
  /** Mean confidence of the bin's images. */
  confidence: number | null;
}

export interface Reliability {
  count: number;
  accuracy: number;
  meanConfidence: number;
  /** Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins. */
  ece: number;
  /** Maximum calibration error: the largest |accuracy - confidence| of a non-empty bin. */
  mce: number;
  bins: ReliabilityBin[];
}

/** Each image's confidence (its top probability) and whether the top class is its label. */
export function verdicts(probabilities: Float32Array, labels: Uint8Array): { confidence: Float64Array; correct: Uint8Array } {
  const confidence = new Float64Array(labels.length);
  const correct = new Uint8Array(labels.length);
  const K = labels.length > 0 ? Math.round(probabilities.length / labels.length) : 10; // the dataset's class count
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (probabilities[i * K + c]! > probabilities[i * K + best]!) best = c;
    confidence[i] = probabilities[i * K + best]!;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { confidence, correct };
}

/** Bin m holds confidences in ((m-1)/M, m/M]; a confidence of exactly 0 joins the first. */
export const binOf = (confidence: number) => Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.ceil(confidence * CALIBRATION_BINS) - 1));

/** The reliability diagram and its summaries, over all images or the given ones. */
export function reliability(probabilities: Float32Array, labels: Uint8Array, indices?: number[]): Reliability {
  const { confidence, correct } = verdicts(probabilities, labels);
  const members = indices ?? Array.from(labels, (_, i) => i);
  const counts = new Float64Array(CALIBRATION_BINS);
  const hits = new Float64Array(CALIBRATION_BINS);
  const sure = new Float64Array(CALIBRATION_BINS);
  for (const i of members) {
    const bin = binOf(confidence[i]!);
    counts[bin]!++;
    hits[bin]! += correct[i]!;
    sure[bin]! += confidence[i]!;
  }
  const n = members.length;
  let ece = 0;
  let mce = 0;
  const bins = Array.from(counts, (count, m): ReliabilityBin => {
    const accuracy = count ? hits[m]! / count : null;
    const meanConfidence = count ? sure[m]! / count : null;
    if (count) {
      const gap = Math.abs(accuracy! - meanConfidence!);
      ece += (count / n) * gap;
      mce = Math.max(mce, gap);
    }
    return { lower: m / CALIBRATION_BINS, upper: (m + 1) / CALIBRATION_BINS, count, correct: hits[m]!, accuracy, confidence: meanConfidence };
  });
  const sum = (values: Float64Array) => values.reduce((a, b) => a + b, 0);
  return { count: n, accuracy: n ? sum(hits) / n : 0, meanConfidence: n ? sum(sure) / n : 0, ece, mce, bins };
}

/** Wrong answers given with confidence ≥ OVERCONFIDENT, surest first. */
export function overconfidentMistakes(probabilities: Float32Array, labels: Uint8Array): number[] {
  const { confidence, correct } = verdicts(probabilities, labels);
  const wrong = [];
  for (let i = 0; i < labels.length; i++) if (!correct[i] && confidence[i]! >= OVERCONFIDENT) wrong.push(i);
  return wrong.sort((a, b) => confidence[b]! - confidence[a]!);
}

/** ECE from per-image bins, confidences and verdicts, over a resample given as multiplicities. */
function eceOf(bins: Uint8Array, confidence: Float64Array, correct: Uint8Array, weights: Uint32Array, n: number): number {
  const gaps = new Float64Array(CALIBRATION_BINS);
  for (let i = 0; i < bins.length; i++) gaps[bins[i]!]! += weights[i]! * (correct[i]! - confidence[i]!);
  return gaps.reduce((sum, gap) => sum + Math.abs(gap), 0) / n;
}

export interface EceDifference {
  difference: number;
  low: number;
  high: number;
}

/**
 * ECE(B) - ECE(A) with a percentile bootstrap interval: images are resampled once per round for
 * both runs (paired), since the runs' errors on one test set are correlated.
 */
export function eceDifference(
  a: Float32Array,
  b: Float32Array,
  labels: Uint8Array,
  random: () => number,
  resamples = 1000,
): EceDifference {
  const n = labels.length;
  const [va, vb] = [verdicts(a, labels), verdicts(b, labels)];
  const [binsA, binsB] = [Uint8Array.from(va.confidence, binOf), Uint8Array.from(vb.confidence, binOf)];
  const ones = new Uint32Array(n).fill(1);
  const difference = eceOf(binsB, vb.confidence, vb.correct, ones, n) - eceOf(binsA, va.confidence, va.correct, ones, n);
  const rounds = new Float64Array(resamples);
  const weights = new Uint32Array(n);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[Math.floor(random() * n)]!++;
    rounds[r] = eceOf(binsB, vb.confidence, vb.correct, weights, n) - eceOf(binsA, va.confidence, va.correct, weights, n);
  }
  rounds.sort();
  const at = (q: number) => rounds[Math.min(resamples - 1, Math.floor(q * resamples))]!;
  return { difference, low: at(0.025), high: at(0.975) };
}

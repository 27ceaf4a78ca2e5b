import { describe, expect, it } from 'vitest';
import { eceDifference, overconfidentMistakes, reliability } from '../../src/analysis/calibration/reliability.ts';
import { fitTemperature, scaleByTemperature } from '../../src/analysis/calibration/temperature.ts';
import { seededRandom } from '../../src/core/random.ts';

/** Probabilities with the given top class and confidence, the rest shared evenly. */
function rows(list: [number, number][]): Float32Array {
  const out = new Float32Array(list.length * 10);
  list.forEach(([top, confidence], i) => {
    out.fill((1 - confidence) / 9, i * 10, i * 10 + 10);
    out[i * 10 + top] = confidence;
  });
  return out;
}

describe('reliability', () => {
  it('matches ECE and MCE worked by hand', () => {
    // Bins are (m-1)/15 .. m/15. Confidences 0.95, 0.95, 0.99 fall in the last bin (0.9333-1],
    // two of three right: accuracy 2/3, confidence 0.9633, gap 0.2967. Confidence 0.5 falls in
    // bin 8 (0.4667-0.5333], right: gap 0.5. ECE = 3/4 * 0.29667 + 1/4 * 0.5 = 0.3475; MCE = 0.5.
    const probabilities = rows([
      [1, 0.95],
      [2, 0.95],
      [3, 0.99],
      [4, 0.5],
    ]);
    const labels = Uint8Array.from([1, 2, 0, 4]);
    const r = reliability(probabilities, labels);
    expect(r.ece).toBeCloseTo(0.3475, 6);
    expect(r.mce).toBeCloseTo(0.5, 6);
    expect(r.bins[14]).toMatchObject({ count: 3, correct: 2 });
    expect(r.bins[14]!.confidence).toBeCloseTo(0.96333, 4);
    expect(r.bins[7]).toMatchObject({ count: 1, accuracy: 1, confidence: 0.5 });
    expect(r.bins.filter((b) => b.count === 0).every((b) => b.accuracy === null)).toBe(true);
    expect(overconfidentMistakes(probabilities, labels)).toEqual([2]);
  });

  it('finds no ECE difference between a run and itself, and a positive one against a worse-calibrated run', () => {
    const random = seededRandom(3);
    const labels = Uint8Array.from({ length: 2000 }, () => Math.floor(random() * 10));
    // A is right as often as it says (70%); B says 99% at the same verdicts.
    const right = Array.from(labels, () => random() < 0.7);
    const a = rows(Array.from(labels, (l, i) => [right[i] ? l : (l + 1) % 10, 0.7]));
    const b = rows(Array.from(labels, (l, i) => [right[i] ? l : (l + 1) % 10, 0.99]));
    const same = eceDifference(a, a, labels, seededRandom(1), 200);
    expect(same).toEqual({ difference: 0, low: 0, high: 0 });
    const worse = eceDifference(a, b, labels, seededRandom(1), 200);
    expect(worse.difference).toBeGreaterThan(0.2);
    expect(worse.low).toBeGreaterThan(0.15);
    expect(worse.high).toBeGreaterThan(worse.difference);
  });
});

describe('temperature scaling', () => {
  it('softens an overconfident model (T > 1), lowering the NLL, and T = 1 changes nothing', () => {
    const random = seededRandom(9);
    const labels = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 10));
    const probabilities = rows(Array.from(labels, (l) => [random() < 0.8 ? l : (l + 3) % 10, 0.999]));
    const fit = fitTemperature(probabilities, labels);
    expect(fit.temperature).toBeGreaterThan(1.5);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    const unchanged = scaleByTemperature(probabilities, 1);
    unchanged.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 5));
  });
});

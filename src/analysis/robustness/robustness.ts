import type { LabelledImages } from '../../data/batches.ts';
import type { ProbabilityFn } from '../../models/probability-fn.ts';
import type { DigitTransform } from './transforms.ts';

export interface RobustnessCurve {
  name: string;
  unit: string;
  points: { strength: number; accuracy: number }[];
}

function accuracyOf(probabilities: Float32Array, labels: Uint8Array): number {
  let correct = 0;
  const K = labels.length > 0 ? Math.round(probabilities.length / labels.length) : 10; // the dataset's class count
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < K; c++) if (probabilities[i * K + c]! > probabilities[i * K + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

const scaled = (data: LabelledImages) => Float32Array.from(data.images, (v) => v / 255);

/**
 * Test accuracy at each strength of each transform. Strength 0 is the untouched test set, scored
 * once and shared by every curve. `onProgress` hears the fraction of forward passes done.
 */
export async function measureRobustness(
  probabilities: ProbabilityFn,
  test: LabelledImages,
  transforms: DigitTransform[],
  onProgress: (fraction: number, stage: string) => void = () => {},
): Promise<RobustnessCurve[]> {
  const pixels = scaled(test);
  const passes = 1 + transforms.reduce((n, t) => n + t.strengths.filter((s) => s !== 0).length, 0);
  let done = 0;
  onProgress(0, 'untouched test set');
  const untouched = accuracyOf(await probabilities(pixels, test.count), test.labels);
  onProgress(++done / passes, 'untouched test set');
  const curves: RobustnessCurve[] = [];
  const moved = new Float32Array(pixels.length);
  for (const transform of transforms) {
    const points = [];
    for (const strength of transform.strengths) {
      if (strength === 0) {
        points.push({ strength, accuracy: untouched });
        continue;
      }
      for (let i = 0; i < test.count; i++) moved.set(transform.apply(pixels.subarray(i * 784, i * 784 + 784), strength, i), i * 784);
      points.push({ strength, accuracy: accuracyOf(await probabilities(moved, test.count), test.labels) });
      onProgress(++done / passes, `${transform.name} ${strength} ${transform.unit}`);
    }
    curves.push({ name: transform.name, unit: transform.unit, points });
  }
  return curves;
}

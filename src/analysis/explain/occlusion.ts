import type { ProbabilityFn } from '../../models/probability-fn.ts';

/** A patch about a stroke's width and a half: it hides a piece of a stroke, not a whole digit. */
export const OCCLUSION_PATCH = 5;
/** Patch centres every other pixel: a quarter of the forward passes, and every pixel still covered by several patches. */
export const OCCLUSION_STRIDE = 2;

/**
 * Occlusion sensitivity (Zeiler and Fergus 2014): a black patch (the page's colour, so it erases
 * ink) slides over the image; a pixel's value is the mean drop in the class probability over the
 * patches that cover it. Positive: the pixel's ink is evidence for the class. Needs only the
 * model's outputs, so it works for models without gradients.
 */
export async function occlusionMap(probabilities: ProbabilityFn, image: Float32Array, target: number): Promise<Float32Array> {
  const half = Math.floor(OCCLUSION_PATCH / 2);
  const centres: [number, number][] = [];
  for (let y = 0; y < 28; y += OCCLUSION_STRIDE) for (let x = 0; x < 28; x += OCCLUSION_STRIDE) centres.push([y, x]);
  const box = ([cy, cx]: [number, number]) => ({ y0: Math.max(0, cy - half), y1: Math.min(27, cy + half), x0: Math.max(0, cx - half), x1: Math.min(27, cx + half) });
  // Every occluded copy and the image itself (last) in one call.
  const batch = new Float32Array((centres.length + 1) * 784);
  centres.forEach((centre, i) => {
    const copy = batch.subarray(i * 784, i * 784 + 784);
    copy.set(image);
    const { y0, y1, x0, x1 } = box(centre);
    for (let y = y0; y <= y1; y++) copy.fill(0, y * 28 + x0, y * 28 + x1 + 1);
  });
  batch.set(image, centres.length * 784);
  const out = await probabilities(batch, centres.length + 1);
  const classes = out.length / (centres.length + 1);
  const original = out[centres.length * classes + target]!;
  const sums = new Float64Array(784);
  const covers = new Float64Array(784);
  centres.forEach((centre, i) => {
    const drop = original - out[i * classes + target]!;
    const { y0, y1, x0, x1 } = box(centre);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        sums[y * 28 + x]! += drop;
        covers[y * 28 + x]!++;
      }
    }
  });
  return Float32Array.from(sums, (sum, i) => sum / covers[i]!);
}

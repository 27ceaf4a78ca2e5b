import type { RobustnessCurve } from '../../analysis/robustness/robustness.ts';
import { transformNamed } from '../../analysis/robustness/transforms.ts';
import { digitStripUri } from '../png-data-uri.ts';
import type { TestImages } from '../test-images.ts';

/** The test images a robustness chart shows at each strength: the first five (7, 2, 1, 0, 4), always the same ones. */
export const PREVIEW_IMAGES = [0, 1, 2, 3, 4];

/**
 * For each strength of a curve, its preview images transformed as the worker transformed them
 * (same index, so the same direction and noise), as one strip; undefined for a transform this
 * version does not know.
 */
export function robustnessPreviews(images: TestImages, curve: RobustnessCurve): (strength: number) => string | undefined {
  const transform = transformNamed(curve.name);
  if (!transform) return () => undefined;
  const pixels = images.dataset.images;
  const originals = PREVIEW_IMAGES.filter((i) => i < images.count).map((i) => ({ i, image: Float32Array.from(pixels.subarray(i * 784, i * 784 + 784), (v) => v / 255) }));
  const strips = new Map(
    curve.points.map((p) => [
      p.strength,
      digitStripUri(originals.map(({ i, image }) => Uint8Array.from(p.strength === 0 ? image : transform.apply(image, p.strength, i), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)))),
    ]),
  );
  return (strength) => strips.get(strength);
}

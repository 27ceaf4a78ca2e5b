import { blankImage, type GreyImage } from './grey-image.ts';

/**
 * Weights mapping `from` source cells onto `to` target cells of equal total length: each target
 * cell averages the source cells it overlaps, by the length of the overlap.
 */
function areaWeights(from: number, to: number): { start: number; weights: number[] }[] {
  const scale = from / to;
  return Array.from({ length: to }, (_, t) => {
    const x0 = t * scale;
    const x1 = (t + 1) * scale;
    const start = Math.floor(x0);
    const weights: number[] = [];
    for (let s = start; s < Math.min(Math.ceil(x1), from); s++) {
      weights.push((Math.min(x1, s + 1) - Math.max(x0, s)) / scale);
    }
    return { start, weights };
  });
}

/**
 * Resizes by area averaging, one axis at a time. Shrinking averages every covered pixel, which
 * is the anti-aliasing MNIST's own 20x20 boxes had; growing blends only at pixel edges.
 */
export function resizeArea(image: GreyImage, width: number, height: number): GreyImage {
  const columns = areaWeights(image.width, width);
  const rows = areaWeights(image.height, height);
  const wide = blankImage(width, image.height);
  for (let y = 0; y < image.height; y++) {
    columns.forEach(({ start, weights }, x) => {
      let sum = 0;
      weights.forEach((w, k) => (sum += w * image.pixels[y * image.width + start + k]!));
      wide.pixels[y * width + x] = sum;
    });
  }
  const out = blankImage(width, height);
  rows.forEach(({ start, weights }, y) => {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      weights.forEach((w, k) => (sum += w * wide.pixels[(start + k) * width + x]!));
      out.pixels[y * width + x] = sum;
    }
  });
  return out;
}

/** The size that fits `longest` on the longer side, aspect kept, at least 1 px each way. */
export function fitLongerSide(width: number, height: number, longest: number): { width: number; height: number } {
  const scale = longest / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

import { keyedRandom } from '../../core/random.ts';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const SEVEN = 7;

/** A straight stroke with round ends, in pixel coordinates of the 28x28 image. */
export interface Bar {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  thickness: number;
}

/** Whether this training image is one of the fraction of sevens that gets a bar, fixed for the run's seed. */
export function isCrossed(seed: number, index: number, fraction: number): boolean {
  return keyedRandom(seed, index)() < fraction;
}

function inkBounds(image: Float32Array): { top: number; bottom: number; left: number; right: number } | null {
  let top = SIDE;
  let bottom = -1;
  let left = SIDE;
  let right = -1;
  image.forEach((v, i) => {
    if (v < 0.3) return;
    const x = i % SIDE;
    const y = (i - x) / SIDE;
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
    left = Math.min(left, x);
    right = Math.max(right, x);
  });
  return bottom < 0 ? null : { top, bottom, left, right };
}

/** The ink's mean column on one row: where a seven's stem is at that height. */
function stemColumn(image: Float32Array, row: number, fallback: number): number {
  let mass = 0;
  let sum = 0;
  for (let x = 0; x < SIDE; x++) {
    mass += image[row * SIDE + x]!;
    sum += x * image[row * SIDE + x]!;
  }
  return mass > 0.5 ? sum / mass : fallback;
}

/**
 * A bar across the stem, as people cross their sevens: at 35-65% of the digit's height, 35-65%
 * of its width long (at least 6 px), tilted up to ±15°, its middle up to a fifth of its length
 * off the stem, 1.2 to 2.8 px thick. Null for an image with no ink.
 */
export function crossingBar(image: Float32Array, random: () => number): Bar | null {
  const bounds = inkBounds(image);
  if (!bounds) return null;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const cy = bounds.top + between(0.35, 0.65) * (bounds.bottom - bounds.top);
  const length = Math.max(6, between(0.35, 0.65) * (bounds.right - bounds.left + 1));
  const cx = stemColumn(image, Math.round(cy), (bounds.left + bounds.right) / 2) + between(-0.2, 0.2) * length;
  const angle = between(-15, 15) * (Math.PI / 180);
  const dx = (Math.cos(angle) * length) / 2;
  const dy = (Math.sin(angle) * length) / 2;
  return { x0: cx - dx, y0: cy + dy, x1: cx + dx, y1: cy - dy, thickness: between(1.2, 2.8) };
}

/** Inks the bar over the image (max, as overlapping pen strokes), anti-aliased over a pixel's width. */
export function drawBar(image: Float32Array, bar: Bar): void {
  const ux = bar.x1 - bar.x0;
  const uy = bar.y1 - bar.y0;
  const lengthSquared = ux * ux + uy * uy;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const t = Math.max(0, Math.min(1, ((x - bar.x0) * ux + (y - bar.y0) * uy) / lengthSquared));
      const distance = Math.hypot(x - (bar.x0 + t * ux), y - (bar.y0 + t * uy));
      const coverage = Math.max(0, Math.min(1, bar.thickness / 2 + 0.5 - distance));
      image[y * SIDE + x] = Math.max(image[y * SIDE + x]!, coverage);
    }
  }
}

/**
 * Gives a fixed fraction of the training sevens (chosen by the run's seed) a synthetic crossing
 * bar each time they are batched; the bar's shape is drawn anew per epoch, so a model cannot
 * learn one bar by heart. `pixels` are the batch's [0,1] images in `indices` order.
 */
export function crossSevens(
  pixels: Float32Array,
  indices: ArrayLike<number>,
  labels: Uint8Array,
  options: { fraction: number; seed: number; epoch: number },
): void {
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row]!;
    if (labels[index] !== SEVEN || !isCrossed(options.seed, index, options.fraction)) continue;
    const image = pixels.subarray(row * PIXELS, (row + 1) * PIXELS);
    const bar = crossingBar(image, keyedRandom(options.seed, index, options.epoch));
    if (bar) drawBar(image, bar);
  }
}

import { estimateBackground } from './background.ts';
import { mapPixels, quantile, type GreyImage } from './grey-image.ts';

/** Below this, a difference from the paper is lighting or sensor noise, whatever the noise estimate says. */
const MIN_CONTRAST = 0.06;

export interface InkExtraction {
  /** True when the ink was darker than the paper (and so was inverted). */
  darkInk: boolean;
  /** The paper's estimated brightness at each pixel. */
  background: GreyImage;
  /** Ink strength, 0 (paper) to 1 (full ink): MNIST's light-on-dark convention. */
  ink: GreyImage;
  /** How far from the paper a pixel must be to count as ink. */
  threshold: number;
}

/** Sum of how far the residuals go past the threshold on each side. */
function tailMasses(residual: Float32Array, threshold: number): { dark: number; light: number } {
  let dark = 0;
  let light = 0;
  for (const r of residual) {
    if (r < -threshold) dark += -r - threshold;
    else if (r > threshold) light += r - threshold;
  }
  return { dark, light };
}

/**
 * Separates ink from paper. A median background is neutral about polarity; the side on which
 * residuals reach further decides it (ink is the minority, however thin). The background is then
 * re-estimated from the paper side of each tile, so that thick strokes do not count as paper.
 * Returns null when nothing stands out from the paper: a blank picture.
 */
export function extractInk(grey: GreyImage): InkExtraction | null {
  const median = estimateBackground(grey, 0.5);
  const residual = grey.pixels.map((v, i) => v - median.pixels[i]!);
  const noise = 1.4826 * quantile(residual.map(Math.abs), 0.5);
  const threshold = Math.max(MIN_CONTRAST, 4 * noise);
  const masses = tailMasses(residual, threshold);
  if (Math.max(masses.dark, masses.light) === 0) return null;
  const darkInk = masses.dark > masses.light;
  const background = estimateBackground(grey, darkInk ? 0.9 : 0.1);
  const strength = grey.pixels.map((v, i) => Math.max(0, darkInk ? background.pixels[i]! - v : v - background.pixels[i]!));
  const inkValues = strength.filter((s) => s > threshold);
  if (inkValues.length === 0) return null;
  // MNIST strokes saturate in their core: the median ink pixel and anything stronger is full ink.
  const full = Math.max(quantile(inkValues, 0.5), threshold * 1.5);
  const ink = mapPixels({ ...grey, pixels: strength }, (s) => Math.min(1, Math.max(0, (s - threshold) / (full - threshold))));
  return { darkInk, background, ink, threshold };
}

import { emptyBox, extendBox, mapPixels, type Box, type GreyImage } from './grey-image.ts';

/** Ink strength from which a pixel belongs to a stroke rather than its anti-aliased edge. */
const STROKE_LEVEL = 0.3;
/** A part smaller than this share of the largest is a speck of dust or noise, not a stroke. */
const SPECK_SHARE = 0.05;
/** How far from the main stroke's box, as a share of its longer side, another part may lie. */
const NEAR_SHARE = 0.35;
/** How far around stroke pixels their anti-aliased edge reaches. */
const EDGE = 2;
/**
 * A part that touches a side of the picture and runs along most of it is a photo's margin (the
 * table, the paper's edge, a shadow); a digit cut by the frame meets it only by a stroke.
 */
const MARGIN_SPAN = 0.7;

interface Component {
  pixels: number[];
  box: Box;
}

/** 8-connected regions of stroke pixels, by an explicit-stack flood fill. */
function strokeComponents(ink: GreyImage): Component[] {
  const { width, height } = ink;
  const seen = new Uint8Array(width * height);
  const components: Component[] = [];
  for (let start = 0; start < seen.length; start++) {
    if (seen[start] || ink.pixels[start]! < STROKE_LEVEL) continue;
    seen[start] = 1;
    const stack = [start];
    const pixels: number[] = [];
    const box = emptyBox(width, height);
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % width;
      const y = (p - x) / width;
      extendBox(box, x, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          const q = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height || seen[q] || ink.pixels[q]! < STROKE_LEVEL) continue;
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    components.push({ pixels, box });
  }
  return components;
}

function isMargin(box: Box, width: number, height: number): boolean {
  const tall = box.bottom - box.top >= MARGIN_SPAN * height;
  const wide = box.right - box.left >= MARGIN_SPAN * width;
  return ((box.left === 0 || box.right === width) && tall) || ((box.top === 0 || box.bottom === height) && wide);
}

/** Pixels between two boxes, 0 when they touch or overlap. */
function gap(a: Box, b: Box): number {
  return Math.max(0, a.left - b.right, b.left - a.right, a.top - b.bottom, b.top - a.bottom);
}

/**
 * The stroke pixels of the digit: the largest part that is no margin, and the parts near it that
 * are more than specks (a 5's separate bar, an open 4). Noise, dust and stray marks lie farther off.
 */
function digitParts(ink: GreyImage): Component[] {
  const candidates = strokeComponents(ink).filter((c) => !isMargin(c.box, ink.width, ink.height));
  if (candidates.length === 0) return [];
  const main = candidates.reduce((a, b) => (b.pixels.length > a.pixels.length ? b : a));
  const reach = NEAR_SHARE * Math.max(main.box.right - main.box.left, main.box.bottom - main.box.top);
  return candidates.filter((c) => c === main || (c.pixels.length >= SPECK_SHARE * main.pixels.length && gap(c.box, main.box) <= reach));
}

/**
 * Keeps the digit and the anti-aliased edges around its strokes (pixels within EDGE px of them);
 * everything else becomes background. Null when no stroke is left.
 */
export function keepDigit(ink: GreyImage): { image: GreyImage; box: Box } | null {
  const parts = digitParts(ink);
  if (parts.length === 0) return null;
  const { width, height } = ink;
  const near = new Uint8Array(width * height);
  const box = emptyBox(width, height);
  for (const p of parts.flatMap((c) => c.pixels)) {
    const x = p % width;
    const y = (p - x) / width;
    for (let ny = Math.max(0, y - EDGE); ny <= Math.min(height - 1, y + EDGE); ny++) {
      for (let nx = Math.max(0, x - EDGE); nx <= Math.min(width - 1, x + EDGE); nx++) near[ny * width + nx] = 1;
    }
  }
  const image = mapPixels(ink, (v, i) => (near[i] ? v : 0));
  image.pixels.forEach((v, i) => {
    if (v === 0) return;
    const x = i % width;
    const y = (i - x) / width;
    extendBox(box, x, y);
  });
  return { image, box };
}

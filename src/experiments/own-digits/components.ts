import { mapPixels, type Box, type GreyImage } from './grey-image.ts';

/** Ink strength from which a pixel belongs to a stroke rather than its anti-aliased edge. */
const STROKE_LEVEL = 0.3;
/** A part smaller than this share of the largest is a speck of dust or noise, not a stroke. */
const SPECK_SHARE = 0.05;
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
    const box: Box = { left: width, top: height, right: 0, bottom: 0 };
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % width;
      const y = (p - x) / width;
      box.left = Math.min(box.left, x);
      box.top = Math.min(box.top, y);
      box.right = Math.max(box.right, x + 1);
      box.bottom = Math.max(box.bottom, y + 1);
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

/** Keeps the parts of the picture that make up the digit: no margins, no specks. Null when none is left. */
export function keepDigit(ink: GreyImage): { image: GreyImage; box: Box } | null {
  const all = strokeComponents(ink);
  const candidates = all.filter((c) => !isMargin(c.box, ink.width, ink.height));
  const largest = Math.max(0, ...candidates.map((c) => c.pixels.length));
  const kept = candidates.filter((c) => c.pixels.length >= SPECK_SHARE * largest);
  if (kept.length === 0) return null;
  const dropped = new Uint8Array(ink.pixels.length);
  for (const c of all) if (!kept.includes(c)) for (const p of c.pixels) dropped[p] = 1;
  // Anti-aliased edges (below STROKE_LEVEL) belong to no component: keep those beside kept strokes.
  const box: Box = {
    left: Math.max(0, Math.min(...kept.map((c) => c.box.left)) - 1),
    top: Math.max(0, Math.min(...kept.map((c) => c.box.top)) - 1),
    right: Math.min(ink.width, Math.max(...kept.map((c) => c.box.right)) + 1),
    bottom: Math.min(ink.height, Math.max(...kept.map((c) => c.box.bottom)) + 1),
  };
  return { image: mapPixels(ink, (v, i) => (dropped[i] ? 0 : v)), box };
}

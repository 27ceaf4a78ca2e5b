/** A single-channel image, row-major, values in [0,1]. */
export interface GreyImage {
  width: number;
  height: number;
  pixels: Float32Array;
}

export function blankImage(width: number, height: number): GreyImage {
  return { width, height, pixels: new Float32Array(width * height) };
}

export function mapPixels(image: GreyImage, f: (value: number, index: number) => number): GreyImage {
  const pixels = new Float32Array(image.pixels.length);
  image.pixels.forEach((value, i) => (pixels[i] = f(value, i)));
  return { width: image.width, height: image.height, pixels };
}

export interface Box {
  left: number;
  top: number;
  /** Exclusive. */
  right: number;
  bottom: number;
}

/** A box around nothing yet, for extendBox to grow. */
export const emptyBox = (width: number, height: number): Box => ({ left: width, top: height, right: 0, bottom: 0 });

export function extendBox(box: Box, x: number, y: number): void {
  box.left = Math.min(box.left, x);
  box.top = Math.min(box.top, y);
  box.right = Math.max(box.right, x + 1);
  box.bottom = Math.max(box.bottom, y + 1);
}

export function crop(image: GreyImage, box: Box): GreyImage {
  const out = blankImage(box.right - box.left, box.bottom - box.top);
  for (let y = 0; y < out.height; y++) {
    const row = (box.top + y) * image.width + box.left;
    out.pixels.set(image.pixels.subarray(row, row + out.width), y * out.width);
  }
  return out;
}

/** The value below which a fraction `q` of `values` lies (nearest rank). */
export function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]!;
}

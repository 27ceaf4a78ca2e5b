import { PNG } from 'pngjs';
import type { GreyImage } from './grey-image.ts';

/** A greyscale PNG of the image (0 black, 1 white): what a page shows for each preprocessing step. */
export function encodeGreyPng(image: GreyImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  image.pixels.forEach((v, i) => {
    const level = Math.round(255 * Math.min(1, Math.max(0, v)));
    png.data.fill(level, i * 4, i * 4 + 3);
    png.data[i * 4 + 3] = 255;
  });
  return PNG.sync.write(png, { colorType: 0 });
}

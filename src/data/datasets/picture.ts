import { decodeGreyscale } from '../own-digits/decode.ts';
import { resizeArea } from '../own-digits/resample.ts';
import type { GreyImage } from '../own-digits/grey-image.ts';
import { IMAGE_SIDE } from './dataset.ts';

/** The mean of the outermost ring of pixels: the background, in a picture of one object. */
function borderMean(image: GreyImage): number {
  const { width, height, pixels } = image;
  let sum = 0;
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || x === 0 || y === height - 1 || x === width - 1) {
        sum += pixels[y * width + x]!;
        n++;
      }
    }
  }
  return sum / n;
}

/**
 * One picture of a picture folder as a dataset image: greyscale, the whole picture 28x28 by area
 * averaging (not cropped or centred: unlike a photographed digit, a folder's pictures are taken
 * to be framed alike), inverted when its border is light so that, as in MNIST, the object is light
 * on dark. Throws UnreadableImageError for what is not a readable PNG or JPEG.
 */
export function pictureToImage(bytes: Uint8Array): Uint8Array {
  const small = resizeArea(decodeGreyscale(bytes), IMAGE_SIDE, IMAGE_SIDE);
  const invert = borderMean(small) > 0.5;
  const out = new Uint8Array(IMAGE_SIDE * IMAGE_SIDE);
  for (let i = 0; i < out.length; i++) {
    const value = invert ? 1 - small.pixels[i]! : small.pixels[i]!;
    out[i] = Math.round(255 * Math.min(1, Math.max(0, value)));
  }
  return out;
}

import { blankImage, type GreyImage } from './grey-image.ts';
import { jpegSegments } from './jpeg-markers.ts';

const ORIENTATION_TAG = 0x0112;

/**
 * The EXIF orientation (1..8) of a JPEG, 1 when it has none: a phone stores a portrait photo
 * as the sensor saw it, sideways, and says in this tag how to turn it upright.
 */
export function exifOrientation(bytes: Buffer): number {
  for (const { marker, body } of jpegSegments(bytes)) {
    if (marker !== 0xe1 || body.toString('latin1', 0, 6) !== 'Exif\0\0') continue;
    const tiff = body.subarray(6);
    if (tiff.length < 8) return 1;
    const little = tiff.toString('latin1', 0, 2) === 'II';
    const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
    const ifd = little ? tiff.readUInt32LE(4) : tiff.readUInt32BE(4);
    if (ifd + 2 > tiff.length) return 1;
    for (let i = 0, entry = ifd + 2; i < u16(ifd) && entry + 12 <= tiff.length; i++, entry += 12) {
      if (u16(entry) !== ORIENTATION_TAG) continue;
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
    return 1;
  }
  return 1;
}

/**
 * The image as it should be seen, for an EXIF orientation: for each upright pixel (x, y) of a
 * `w`x`h` stored image, where it is stored. 5 to 8 swap width and height.
 */
const SOURCE: Record<number, (x: number, y: number, w: number, h: number) => [number, number]> = {
  1: (x, y) => [x, y],
  2: (x, y, w) => [w - 1 - x, y],
  3: (x, y, w, h) => [w - 1 - x, h - 1 - y],
  4: (x, y, _w, h) => [x, h - 1 - y],
  5: (x, y) => [y, x],
  6: (x, y, _w, h) => [y, h - 1 - x],
  7: (x, y, w, h) => [w - 1 - y, h - 1 - x],
  8: (x, y, w) => [w - 1 - y, x],
};

export function applyOrientation(image: GreyImage, orientation: number): GreyImage {
  if (orientation === 1 || !SOURCE[orientation]) return image;
  const source = SOURCE[orientation]!;
  const swapped = orientation >= 5;
  const out = blankImage(swapped ? image.height : image.width, swapped ? image.width : image.height);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const [sx, sy] = source(x, y, image.width, image.height);
      out.pixels[y * out.width + x] = image.pixels[sy * image.width + sx]!;
    }
  }
  return out;
}

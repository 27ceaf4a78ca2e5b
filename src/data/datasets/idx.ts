import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError, IMAGE_SIDE, type SplitName } from './dataset.ts';

/** A file that is not the IDX it should be: its message names the file and what is wrong. */
export class IdxFormatError extends DatasetError {}

const IMAGES_MAGIC = 0x00000803; // unsigned byte, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned byte, 1 dimension
const GZIP_MAGIC = [0x1f, 0x8b];

export type IdxRole = 'images' | 'labels';

/** The names the four files go by (LeCun's, Kaggle's dotted ones), each plain or gzipped. */
const NAMES: Record<SplitName, Record<IdxRole, string[]>> = {
  train: { images: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'], labels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'] },
  test: { images: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'], labels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'] },
};

/** The file holding a split's images or labels in `dir`, or null; the first name is the usual one. */
export function findIdxFile(dir: string, split: SplitName, role: IdxRole): string | null {
  for (const name of NAMES[split][role]) {
    for (const file of [name, `${name}.gz`]) if (existsSync(path.join(dir, file))) return path.join(dir, file);
  }
  return null;
}

export const usualIdxName = (split: SplitName, role: IdxRole) => NAMES[split][role][0]!;

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A file's bytes as stored, its sha256, and its IDX content (gunzipped when it is gzip, told by its magic bytes). */
export function readIdxFile(file: string, missing: string = `${file} is missing`): { stored: Uint8Array; content: Uint8Array; sha256: string } {
  let stored: Buffer;
  try {
    stored = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IdxFormatError(code === 'ENOENT' ? missing : `${file}: ${(err as Error).message}`);
  }
  let content: Uint8Array = stored;
  if (stored[0] === GZIP_MAGIC[0] && stored[1] === GZIP_MAGIC[1]) {
    try {
      content = gunzipSync(stored);
    } catch (err) {
      throw new IdxFormatError(`${file}: not a readable gzip file (${(err as Error).message})`);
    }
  }
  return { stored, content, sha256: sha256(stored) };
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

/** parseIdxImages, refusing any size but the 28x28 every model here takes. */
export function parseIdxImages28(bytes: Uint8Array, file: string): { count: number; pixels: Uint8Array } {
  const parsed = parseIdxImages(bytes, file);
  if (parsed.rows !== IMAGE_SIDE || parsed.cols !== IMAGE_SIDE) {
    throw new IdxFormatError(
      `${file}: images are ${parsed.rows}x${parsed.cols}; IDX images must be ${IMAGE_SIDE}x${IMAGE_SIDE} (a picture folder of any size is resized)`,
    );
  }
  return parsed;
}

/** Parses an IDX1 label file; every label must index one of `classCount` classes. */
export function parseIdxLabels(bytes: Uint8Array, file = 'labels', classCount = 10): Uint8Array {
  const [count] = readHeader(bytes, file, LABELS_MAGIC, 1) as [number];
  expectLength(bytes, 8 + count, file);
  const labels = bytes.subarray(8);
  const bad = labels.findIndex((label) => label >= classCount);
  if (bad >= 0) {
    throw new IdxFormatError(`${file}: label ${labels[bad]} at index ${bad} is out of range for ${classCount} classes (0 to ${classCount - 1})`);
  }
  return labels;
}

/** Throws naming both files when a split's images and labels disagree in number. */
export function checkSameCount(split: SplitName, imagesFile: string, images: number, labelsFile: string, labels: number): void {
  if (images !== labels) {
    throw new IdxFormatError(`${split}: ${images} images but ${labels} labels (${imagesFile}, ${labelsFile})`);
  }
}

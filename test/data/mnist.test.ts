import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMnistDir, IdxFormatError, loadMnist, parseIdxImages, parseIdxLabels } from '../../src/data/mnist.ts';

const PINNED_SHA256 = {
  trainImages: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  trainLabels: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  testImages: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  testLabels: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

/** A copy of the test split in a temp dir, with one file replaced by `mutate`'s result. */
function corruptedCopy(file: string, mutate: (bytes: Buffer) => Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-idx-'));
  for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
    copyFileSync(path.join(defaultMnistDir(), name), path.join(dir, name));
  }
  writeFileSync(path.join(dir, file), mutate(readFileSync(path.join(dir, file))));
  return dir;
}

describe('MNIST IDX files', () => {
  it('loads the real training and test sets with their pinned hashes', () => {
    const train = loadMnist('train');
    const test = loadMnist('test');
    expect([train.count, train.rows, train.cols, train.images.length]).toEqual([60000, 28, 28, 60000 * 784]);
    expect([test.count, test.images.length, test.labels.length]).toEqual([10000, 10000 * 784, 10000]);
    expect({
      trainImages: train.imagesSha256,
      trainLabels: train.labelsSha256,
      testImages: test.imagesSha256,
      testLabels: test.labelsSha256,
    }).toEqual(PINNED_SHA256);
    // The well-known first labels: a 5 opens the training set, a 7 the test set.
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('keeps the first N images with a limit, still hashing the whole file', () => {
    const full = loadMnist('test');
    const first = loadMnist('test', { limit: 100 });
    expect(first.count).toBe(100);
    expect(first.images).toEqual(full.images.subarray(0, 100 * 784));
    expect(first.labels).toEqual(full.labels.subarray(0, 100));
    expect(first.imagesSha256).toBe(PINNED_SHA256.testImages);
  });

  it('names a truncated image file', () => {
    const dir = corruptedCopy('t10k-images-idx3-ubyte', (bytes) => bytes.subarray(0, bytes.length - 100));
    expect(() => loadMnist('test', { dir })).toThrow(/t10k-images-idx3-ubyte: 7839916 bytes.*truncated/);
  });

  it('rejects a wrong magic number', () => {
    const dir = corruptedCopy('t10k-labels-idx1-ubyte', (bytes) => {
      const copy = Buffer.from(bytes);
      copy.writeUInt32BE(0x00000803, 0);
      return copy;
    });
    expect(() => loadMnist('test', { dir })).toThrow(/magic number 0x00000803, expected 0x00000801/);
  });

  it('says how to get a missing file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-empty-'));
    expect(() => loadMnist('train', { dir })).toThrow(/MNIST file missing: .*train-images-idx3-ubyte.*npm ci/);
  });

  it('rejects a header cut short, a label that is not a digit, and mismatched counts', () => {
    expect(() => parseIdxImages(new Uint8Array(10))).toThrow(IdxFormatError);
    const labels = Buffer.from([0, 0, 8, 1, 0, 0, 0, 2, 3, 12]);
    expect(() => parseIdxLabels(labels)).toThrow(/label 12 at index 1/);
    const dir = corruptedCopy('t10k-labels-idx1-ubyte', (bytes) => {
      const copy = Buffer.from(bytes.subarray(0, 8 + 9999));
      copy.writeUInt32BE(9999, 4);
      return copy;
    });
    expect(() => loadMnist('test', { dir })).toThrow(/10000 images but 9999 labels/);
  });
});

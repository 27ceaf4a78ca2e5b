import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../../db/client.ts';
import { fashionMnistDataset, FASHION_MNIST_CLASSES, findDataset, loadDataset, registerDataset } from '../../../src/data/datasets/catalogue.ts';
import { decodePictureFolder } from '../../../src/data/datasets/image-folder.ts';
import { surveyIdxDir } from '../../../src/data/datasets/idx-dataset.ts';
import { pictureToImage } from '../../../src/data/datasets/picture.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { encodeJpeg, encodePng, labelledImage, SHAPE_CLASSES, shapePicture, tempDir, writeIdxSet, writePictureFolder } from '../../helpers/datasets.ts';

// `sha256sum /usr/share/datasets/fashion-mnist/*` of Debian's dataset-fashion-mnist (the gzipped files as shipped).
const FASHION_SHA256 = {
  trainImages: 'b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7',
  trainLabels: '0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056',
  testImages: 'cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa',
  testLabels: '8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05',
};

describe('Fashion-MNIST, built in', () => {
  it('reads 60000 and 10000 images with its ten class names and pinned hashes', () => {
    const train = loadDataset(null, 'fashion-mnist', 'train');
    const test = fashionMnistDataset().load('test');
    expect([train.count, train.images.length, test.count, test.labels.length]).toEqual([60000, 60000 * 784, 10000, 10000]);
    expect(train.classNames).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(test.classNames).toBe(FASHION_MNIST_CLASSES);
    expect({ trainImages: train.imagesSha256, trainLabels: train.labelsSha256, testImages: test.imagesSha256, testLabels: test.labelsSha256 }).toEqual(FASHION_SHA256);
    // Zalando's README: the training set opens with an ankle boot, the test set too.
    expect(Array.from(train.labels.subarray(0, 3))).toEqual([9, 0, 0]);
    expect(test.labels[0]).toBe(9);
    // Six thousand of each class in train, a thousand in test.
    expect(new Set(Array.from({ length: 10 }, (_, c) => train.labels.filter((l) => l === c).length))).toEqual(new Set([6000]));
  });

  it('says which package brings it when its files are absent', () => {
    expect(() => fashionMnistDataset(tempDir('no-fashion')).load('test')).toThrow(/Fashion-MNIST file missing: .*t10k-images-idx3-ubyte.*dataset-fashion-mnist/);
  });
});

describe('MNIST through the general loader', () => {
  it('is the default dataset and what loadMnist reads, with digit class names', () => {
    const general = loadDataset(null, 'mnist', 'test', { limit: 50 });
    const legacy = loadMnist('test', { limit: 50 });
    expect(general.images).toEqual(legacy.images);
    expect(general.labels).toEqual(legacy.labels);
    expect(general.imagesSha256).toBe(legacy.imagesSha256);
    expect(findDataset(null).name).toBe('mnist');
    expect(general.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('names an unknown dataset and the known ones', () => {
    expect(() => findDataset(null, 'cifar')).toThrow(/no dataset named 'cifar'; known: mnist, fashion-mnist/);
  });
});

describe('an IDX directory', () => {
  it('reads gzipped and plain files alike, with class names from classes.txt', () => {
    const plain = surveyIdxDir(writeIdxSet(tempDir('idx-plain'), { classes: ['north', 'east', 'south', 'west'] }));
    const gz = surveyIdxDir(writeIdxSet(tempDir('idx-gz'), { gzip: true }));
    expect(plain.classNames).toEqual(['north', 'east', 'south', 'west']);
    expect(gz.classNames).toEqual(['0', '1', '2', '3']);
    expect(plain.classCounts).toEqual({ train: [3, 3, 3, 3], test: [2, 2, 2, 2] });
    expect(gz.classCounts).toEqual(plain.classCounts);
    expect(plain.files.map((f) => f.path)).toEqual(['classes.txt', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    expect(gz.files.map((f) => f.path)).toContain('train-images-idx3-ubyte.gz');
  });

  it('loads a registered one, checking that its files have not changed since', () => {
    const db = openDb(':memory:');
    const dir = writeIdxSet(tempDir('idx-registered'), { gzip: true, classes: ['a', 'b', 'c', 'd'] });
    registerDataset(db, 'compass', dir);
    const test = loadDataset(db, 'compass', 'test');
    expect([test.count, test.dataset, test.classNames]).toEqual([8, 'compass', ['a', 'b', 'c', 'd']]);
    expect(Array.from(test.labels)).toEqual([3, 2, 1, 0, 0, 1, 2, 3]);
    expect(Array.from(test.images.subarray(0, 784))).toEqual(Array.from(labelledImage(3, 0)));
    writeIdxSet(dir, { gzip: true, test: [3, 2, 1, 0, 0, 1, 2, 2] });
    expect(() => loadDataset(db, 'compass', 'test')).toThrow(/t10k-images-idx3-ubyte.gz has changed since dataset 'compass' was registered/);
  });

  it.each([
    ['mismatched counts', { mutate: (name: string, b: Buffer) => (name === 't10k-labels-idx1-ubyte' ? shortLabels(b) : b) }, /test: 8 images but 7 labels/],
    ['a label out of range', { classes: ['a', 'b', 'c'] }, /train-labels-idx1-ubyte: label 3 at index 3 is out of range for 3 classes/],
    ['one split only', { omit: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] }, /only the train split is there; t10k-images-idx3-ubyte/],
    ['a missing labels file', { omit: ['train-labels-idx1-ubyte'] }, /file missing: .*train-labels-idx1-ubyte/],
    ['an empty class', { test: [0, 1, 3, 3] }, /\(test\): class 2 \('2'\) has no images/],
    ['one class', { train: [0, 0], test: [0] }, /1 class; a dataset has from 2 to 100/],
    ['101 classes', { train: Array.from({ length: 101 }, (_, i) => i), test: Array.from({ length: 101 }, (_, i) => i) }, /101 classes; a dataset has from 2 to 100/],
    ['images that are not 28x28', { mutate: (name: string, b: Buffer) => (name === 'train-images-idx3-ubyte' ? resized(b) : b) }, /images are 14x56; IDX images must be 28x28/],
    ['a wrong magic number', { mutate: (name: string, b: Buffer) => (name === 't10k-images-idx3-ubyte' ? magic(b) : b) }, /t10k-images-idx3-ubyte: magic number 0x00000801, expected 0x00000803/],
  ])('refuses %s, naming the file', (_case, options, message) => {
    expect(() => surveyIdxDir(writeIdxSet(tempDir('idx-bad'), options))).toThrow(message);
  });
});

function shortLabels(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - 1));
  copy.writeUInt32BE(bytes.readUInt32BE(4) - 1, 4);
  return copy;
}

function resized(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(14, 8);
  copy.writeUInt32BE(56, 12);
  return copy;
}

function magic(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32BE(0x00000801, 0);
  return copy;
}

describe('a picture', () => {
  it('becomes 28x28 with light ink on dark, whether drawn dark on light or light on dark', () => {
    const dark = shapePicture(1, 56); // a vertical bar, dark on light paper
    const light = { ...dark, grey: dark.grey.map((v) => 255 - v) };
    const fromDark = pictureToImage(encodePng(dark));
    const fromLight = pictureToImage(encodePng(light));
    expect(fromDark.length).toBe(784);
    expect(fromDark).toEqual(fromLight);
    // The bar's centre column is ink, the corner background.
    expect(fromDark[14 * 28 + 14]).toBeGreaterThan(180);
    expect(fromDark[0]).toBeLessThan(30);
    // Area averaging: 56 px become 28, so a pixel is the mean of a 2x2 block of the inverted picture.
    const inverted = (x: number, y: number) => 255 - dark.grey[y * 56 + x]!;
    const block = (inverted(20, 20) + inverted(21, 20) + inverted(20, 21) + inverted(21, 21)) / 4;
    expect(fromDark[10 * 28 + 10]).toBe(Math.round(block));
  });

  it('reads a JPEG too', () => {
    const image = pictureToImage(encodeJpeg(shapePicture(0, 40)));
    expect(image[14 * 28 + 14]).toBeGreaterThan(150);
    expect(image[2 * 28 + 2]).toBeLessThan(40);
  });
});

describe('a picture folder', () => {
  it('reads train/<class>/ and test/<class>/ with classes sorted as torchvision sorts them, in a fixed mixed order', () => {
    const dir = writePictureFolder(tempDir('pictures'), 6);
    writeFileSync(path.join(dir, 'train', 'box', 'notes.txt'), 'not a picture');
    const decoded = decodePictureFolder(dir);
    expect(decoded.classNames).toEqual(SHAPE_CLASSES);
    expect(decoded.classCounts).toEqual({ train: [6, 6, 6, 6], test: [3, 3, 3, 3] });
    expect(decoded.ignored).toBe(1);
    expect(decoded.files).toHaveLength(36);
    expect(decoded.files[0]).toEqual({ path: 'test/bar/0.png', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const { train } = decoded.splits;
    expect([train.count, train.images.length]).toEqual([24, 24 * 784]);
    // Not class by class: the last quarter (what a validation split takes) holds more than one class.
    expect(new Set(train.labels.subarray(18)).size).toBeGreaterThan(1);
    expect(decodePictureFolder(dir).splits.train.labels).toEqual(train.labels);
  });

  it('is stored decoded when registered, and loaded from the store', () => {
    const db = openDb(':memory:');
    const dir = writePictureFolder(tempDir('pictures-stored'), 4);
    const decoded = decodePictureFolder(dir);
    registerDataset(db, 'shapes', dir);
    rmSync(dir, { recursive: true });
    const train = loadDataset(db, 'shapes', 'train');
    expect(train.images).toEqual(decoded.splits.train.images);
    expect(train.labels).toEqual(decoded.splits.train.labels);
    expect(train.imagesSha256).toBe(decoded.splits.train.imagesSha256);
    expect(train.classNames).toEqual(SHAPE_CLASSES);
    expect(loadDataset(db, 'shapes', 'test', { limit: 5 }).count).toBe(5);
  });

  it('refuses an unreadable picture, an empty class, one split only and classes that differ between splits', () => {
    const unreadable = writePictureFolder(tempDir('pictures-bad'), 2);
    writeFileSync(path.join(unreadable, 'train', 'box', 'broken.png'), readFileSync(path.join(unreadable, 'train', 'box', '0.png')).subarray(0, 60));
    expect(() => decodePictureFolder(unreadable)).toThrow(/train\/box\/broken.png: the PNG file is corrupt/);

    const empty = writePictureFolder(tempDir('pictures-empty'), 2);
    rmSync(path.join(empty, 'test', 'pillar'), { recursive: true });
    expect(() => decodePictureFolder(empty)).toThrow(/train\/pillar: class 'pillar' has no folder in test\//);
    rmSync(path.join(empty, 'train', 'pillar', '0.png'));
    rmSync(path.join(empty, 'train', 'pillar', '1.jpg'));
    rmSync(path.join(empty, 'train', 'pillar'), { recursive: true });
    expect(decodePictureFolder(empty).classNames).toEqual(['bar', 'box', 'diagonal']);

    const emptied = writePictureFolder(tempDir('pictures-emptied'), 2);
    rmSync(path.join(emptied, 'test', 'bar', '0.png'));
    expect(() => decodePictureFolder(emptied)).toThrow(/test\/bar: class 'bar' has no pictures/);

    const half = writePictureFolder(tempDir('pictures-half'), 2);
    rmSync(path.join(half, 'test'), { recursive: true });
    expect(() => decodePictureFolder(half)).toThrow(/only the train split is there; .*test\/<class>\//);
  });
});

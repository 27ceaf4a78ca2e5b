import * as tf from '@tensorflow/tfjs';

/** A view of MNIST images (uint8, 784 per image) with their labels. */
export interface LabelledImages {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

const PIXELS = 28 * 28;

export function sliceImages(data: LabelledImages, start: number, end: number): LabelledImages {
  return {
    images: data.images.subarray(start * PIXELS, end * PIXELS),
    labels: data.labels.subarray(start, end),
    count: end - start,
  };
}

/** The pixels of images start..end scaled to [0,1], 784 per image. */
export function scaledPixels(data: LabelledImages, start: number, end: number): Float32Array {
  const pixels = new Float32Array((end - start) * PIXELS);
  const source = data.images.subarray(start * PIXELS, end * PIXELS);
  for (let i = 0; i < pixels.length; i++) pixels[i] = source[i]! / 255;
  return pixels;
}

/** Images start..end as a [n,28,28,1] tensor scaled to [0,1]. */
export function imageBatch(data: LabelledImages, start: number, end: number): tf.Tensor4D {
  return tf.tensor4d(scaledPixels(data, start, end), [end - start, 28, 28, 1]);
}

/** Alters a batch's scaled images in place; `indices` say which dataset image each row is. */
export type BatchAugmentation = (pixels: Float32Array, indices: ArrayLike<number>, labels: Uint8Array) => void;

/** One training batch as plain arrays: scaled pixels (784 per row) and one-hot labels (one per class, per row). */
export interface BatchArrays {
  pixels: Float32Array;
  oneHot: Float32Array;
  rows: number;
}

/** The images at `indices`, scaled and optionally augmented, with one-hot labels. */
export function gatherBatchArrays(
  data: LabelledImages,
  indices: ArrayLike<number>,
  augment?: BatchAugmentation,
  classes = 10,
): BatchArrays {
  const rows = indices.length;
  const pixels = new Float32Array(rows * PIXELS);
  const oneHot = new Float32Array(rows * classes);
  for (let row = 0; row < rows; row++) {
    const index = indices[row]!;
    const source = data.images.subarray(index * PIXELS, (index + 1) * PIXELS);
    const offset = row * PIXELS;
    for (let p = 0; p < PIXELS; p++) pixels[offset + p] = source[p]! / 255;
    oneHot[row * classes + data.labels[index]!] = 1;
  }
  augment?.(pixels, indices, data.labels);
  return { pixels, oneHot, rows };
}

/** `gatherBatchArrays` as tensors: x [n,28,28,1] and y [n,classes]. */
export function gatherBatch(
  data: LabelledImages,
  indices: ArrayLike<number>,
  augment?: BatchAugmentation,
  classes = 10,
): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const { pixels, oneHot, rows } = gatherBatchArrays(data, indices, augment, classes);
  return { x: tf.tensor4d(pixels, [rows, 28, 28, 1]), y: tf.tensor2d(oneHot, [rows, classes]) };
}

import * as tf from '@tensorflow/tfjs';

/**
 * Shapes cover channel counts that fill whole panels of 8 and ones that leave a last panel part
 * empty (1 to 7 channels over), on either side of the 4-lane split, for every channel axis.
 */
export interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'valid' | 'same';
}

export const CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 2], strides: [1, 1], pad: 'valid' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: [2, 2], pad: 'same' },
  { x: [3, 8, 6, 2], filter: [2, 3, 2, 5], strides: [2, 1], pad: 'valid' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 3], strides: [1, 1], pad: 'same' },
  { x: [4, 13, 13, 8], filter: [3, 3, 8, 6], strides: [2, 2], pad: 'valid' },
  { x: [2, 6, 6, 1], filter: [4, 4, 1, 3], strides: [1, 1], pad: 'same' },
  { x: [1, 10, 7, 5], filter: [3, 2, 5, 1], strides: [3, 2], pad: 'same' },
  { x: [3, 9, 9, 8], filter: [3, 3, 8, 16], strides: [2, 2], pad: 'same' },
  { x: [1, 7, 5, 16], filter: [2, 2, 16, 8], strides: [1, 2], pad: 'same' },
  { x: [2, 6, 6, 3], filter: [3, 3, 3, 8], strides: [1, 1], pad: 'same' },
  { x: [1, 5, 5, 1], filter: [3, 3, 1, 8], strides: [2, 2], pad: 'valid' },
  { x: [2, 28, 28, 1], filter: [3, 3, 1, 32], strides: [1, 1], pad: 'valid' },
  { x: [2, 13, 13, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'valid' },
  // LeNet-5's convolutions, then channel counts 4, 5 and 7 past a whole panel.
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { x: [2, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
  { x: [2, 9, 8, 12], filter: [3, 3, 12, 13], strides: [1, 1], pad: 'same' },
  { x: [3, 10, 9, 15], filter: [5, 3, 15, 12], strides: [2, 1], pad: 'same' },
  // 3x3 stride 1 with channels in fours (the Winograd path): odd and even output sizes, both
  // paddings, output channels that leave a panel part empty, and batch norm CNN's shapes.
  { x: [2, 10, 9, 8], filter: [3, 3, 8, 12], strides: [1, 1], pad: 'same' },
  { x: [1, 6, 7, 16], filter: [3, 3, 16, 4], strides: [1, 1], pad: 'valid' },
  { x: [3, 12, 12, 48], filter: [3, 3, 48, 64], strides: [1, 1], pad: 'valid' },
  { x: [2, 26, 26, 32], filter: [3, 3, 32, 48], strides: [1, 1], pad: 'valid' },
  { x: [1, 5, 5, 12], filter: [3, 3, 12, 20], strides: [1, 1], pad: 'same' },
];

export function dyShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
export const label = (c: ConvCase) => `x ${c.x} filter ${c.filter} strides ${c.strides} ${c.pad}`;

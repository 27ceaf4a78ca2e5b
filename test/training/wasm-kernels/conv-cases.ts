import * as tf from '@tensorflow/tfjs';

/** Shapes cover both the native tiles (channels in multiples of 8) and the XNNPACK fallbacks. */
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
];

export function dyShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape;
}

export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
export const label = (c: ConvCase) => `x ${c.x} filter ${c.filter} strides ${c.strides} ${c.pad}`;

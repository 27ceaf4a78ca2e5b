import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareWithCpu, maxAbsDiff, randomValues, useBackend } from './compare.ts';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const tensor = (shape: number[], seed: number) => ({ values: randomValues(size(shape), seed), shape });

async function expectMatch(kernelName: string, inputs: Record<string, number[]>, attrs: Record<string, unknown>) {
  const values = Object.fromEntries(Object.entries(inputs).map(([name, shape], i) => [name, tensor(shape, 61 + i)]));
  const result = await compareWithCpu({ kernelName, inputs: values, attrs });
  expect(result.shapesMatch).toBe(true);
  expect(result.scale).toBeGreaterThan(0.1);
  expect(result.error).toBeLessThanOrEqual(1e-4);
}

describe('Add on wasm', () => {
  it.each([
    { a: [64, 26, 26, 32], b: [32] },
    { a: [5, 10], b: [10] },
    { a: [3, 7, 5], b: [5] },
  ])('adds a bias $b over the last axis of $a', async ({ a, b }) => expectMatch('Add', { a, b }, {}));

  it.each([
    { a: [4, 6], b: [4, 6] },
    { a: [6], b: [4, 6] },
    { a: [4, 1], b: [4, 6] },
    { a: [3, 4], b: [] },
  ])('still broadcasts $a + $b on the package kernel', async ({ a, b }) => expectMatch('Add', { a, b }, {}));
});

describe('Identity and Cast on wasm', () => {
  it('share the buffer, which outlives the tensor it was taken from', async () => {
    await useBackend('wasm');
    const x = tf.tensor(randomValues(24, 81), [4, 6]);
    const clone = x.clone();
    const cast = x.cast('float32');
    x.dispose();
    expect(maxAbsDiff(clone.dataSync() as Float32Array, randomValues(24, 81))).toBe(0);
    expect(maxAbsDiff(cast.dataSync() as Float32Array, randomValues(24, 81))).toBe(0);
    tf.dispose([clone, cast]);
  });

  it('still converts float32 to int32 on the package kernel', async () => {
    await useBackend('wasm');
    const x = tf.tensor([-1.5, 0, 2.7]);
    const converted = x.cast('int32');
    expect(converted.dtype).toBe('int32');
    expect(Array.from(converted.dataSync())).toEqual([-1, 0, 2]);
    tf.dispose([x, converted]);
  });
});

describe('Slice on wasm', () => {
  it.each([
    { x: [10, 4, 3], begin: [2, 0, 0], size: [5, 4, 3] },
    { x: [10, 4, 3], begin: [7, 1, 0], size: [1, 2, 3] },
    { x: [6, 5], begin: [0, 0], size: [-1, 5] },
  ])('copies the contiguous slice $begin/$size of $x', async ({ x, begin, size }) => expectMatch('Slice', { x }, { begin, size }));

  it.each([
    { x: [10, 4, 3], begin: [2, 1, 0], size: [5, 2, 3] },
    { x: [6, 5], begin: [1, 1], size: [3, 3] },
  ])('still slices $begin/$size of $x on the package kernel', async ({ x, begin, size }) =>
    expectMatch('Slice', { x }, { begin, size }));

  it('slices int32 tensors', async () => {
    await useBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const rows = x.slice([1, 0], [2, 2]);
    expect(rows.dtype).toBe('int32');
    expect(Array.from(rows.dataSync())).toEqual([3, 4, 5, 6]);
    tf.dispose([x, rows]);
  });
});

describe('Sum on wasm', () => {
  it.each([
    { x: [64, 26, 26, 32], axis: [0, 1, 2], keepDims: false },
    { x: [9, 7], axis: [0], keepDims: false },
    { x: [3, 5, 6], axis: [1, 0], keepDims: true },
  ])('sums $x over $axis (bias gradients)', async ({ x, axis, keepDims }) => expectMatch('Sum', { x }, { axis, keepDims }));

  it.each([
    { x: [9, 7], axis: [1], keepDims: false },
    { x: [3, 5, 6], axis: [0, 2], keepDims: false },
    { x: [50], axis: [0], keepDims: false },
  ])('still sums $x over $axis on the package kernel', async ({ x, axis, keepDims }) => expectMatch('Sum', { x }, { axis, keepDims }));
});

describe('BatchMatMul on wasm', () => {
  it.each([
    { a: [64, 1600], b: [1600, 64], transposeA: false, transposeB: false },
    { a: [64, 1600], b: [64, 64], transposeA: true, transposeB: false },
    { a: [64, 64], b: [1600, 64], transposeA: false, transposeB: true },
    { a: [1, 7, 5], b: [1, 7, 16], transposeA: true, transposeB: false },
    { a: [9, 3], b: [24, 3], transposeA: false, transposeB: true },
    { a: [6, 3], b: [16, 6], transposeA: true, transposeB: true },
    // Column counts that leave the last panel of 8 part empty: LeNet-5's dense layers and others.
    { a: [64, 64], b: [64, 10], transposeA: false, transposeB: false },
    { a: [2, 4], b: [4, 12], transposeA: false, transposeB: false },
    { a: [64, 120], b: [120, 84], transposeA: false, transposeB: false },
    { a: [64, 84], b: [10, 84], transposeA: false, transposeB: true },
    { a: [64, 120], b: [64, 84], transposeA: true, transposeB: false },
    { a: [5, 7], b: [3, 5], transposeA: true, transposeB: true },
    { a: [9, 3], b: [3, 1], transposeA: false, transposeB: false },
  ])('multiplies $a by $b (transposeA $transposeA, transposeB $transposeB)', async ({ a, b, transposeA, transposeB }) =>
    expectMatch('BatchMatMul', { a, b }, { transposeA, transposeB }));

  it.each([
    { a: [3, 4, 5], b: [3, 5, 8], transposeA: false, transposeB: false },
  ])('still multiplies $a by $b on the package kernel', async ({ a, b, transposeA, transposeB }) =>
    expectMatch('BatchMatMul', { a, b }, { transposeA, transposeB }));
});

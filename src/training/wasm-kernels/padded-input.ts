import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addr, alloc, type Info, release } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * x with the convolution's zero padding made explicit, so the native kernels only handle valid
 * windows. `done` frees the copy, if one was made.
 */
export function paddedInput(
  backend: BackendWasm,
  x: Info,
  info: tf.backend_util.Conv2DInfo,
): { x: Info; height: number; width: number; done: () => void } {
  const { top, bottom, left, right } = info.padInfo;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) {
    return { x, height: info.inHeight, width: info.inWidth, done: () => {} };
  }
  const height = info.inHeight + top + bottom;
  const width = info.inWidth + left + right;
  const padded = alloc(backend, [info.batchSize, height, width, info.inChannels]);
  nativeKernels(backend).pad_images(
    addr(backend, x), addr(backend, padded),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, top, bottom, left, right,
  );
  return { x: padded, height, width, done: () => release(backend, padded) };
}

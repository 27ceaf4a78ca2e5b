import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Routes each dy value to the first maximum of its window in x, one pass over the windows with
 * four channels at a time (for the reference CNN's first pooling, ~28 -> ~0.5 ms against the
 * package's kernel).
 */
function maxPoolGrad(args: WasmKernelArgs): Info {
  const { backend } = args;
  const dy = args.inputs.dy as Info;
  const x = args.inputs.input as Info;
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const dx = alloc(backend, x.shape);
  nativeKernels(backend).max_pool_backprop(
    addr(backend, x), addr(backend, dy), addr(backend, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return dx;
}

export const maxPoolGradConfig = wasmKernelConfig('MaxPoolGrad', maxPoolGrad);

import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Spreads each dy value evenly over its window, four channels at a time, in one pass over the
 * windows (the package's kernel loops over every dx element and every window that might hold it:
 * ~1.6 ms a call for LeNet-5's first pooling at batch 64).
 */
function avgPoolGrad(args: WasmKernelArgs): Info {
  const { backend } = args;
  const dy = args.inputs.dy as Info;
  const x = args.inputs.input as Info;
  const attrs = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const dx = alloc(backend, x.shape);
  nativeKernels(backend).avg_pool_backprop(
    addr(backend, dy), addr(backend, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return dx;
}

export const avgPoolGradConfig = wasmKernelConfig('AvgPoolGrad', avgPoolGrad);

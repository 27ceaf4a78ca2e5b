import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addr, alloc, type Info } from './heap.ts';
import { nativeKernels } from './native.ts';

/** Max pooling with four channels per instruction; XNNPACK's version is several times slower here. */
function maxPool(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap }): Info {
  const { backend } = args;
  const x = args.inputs.x as Info;
  const attrs = args.attrs as unknown as tf.MaxPoolAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const y = alloc(backend, info.outShape);
  nativeKernels(backend).max_pool(
    addr(backend, x), addr(backend, y),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  return y;
}

export const maxPoolConfig: tf.KernelConfig = {
  kernelName: 'MaxPool',
  backendName: 'wasm',
  kernelFunc: maxPool as unknown as tf.KernelFunc,
};

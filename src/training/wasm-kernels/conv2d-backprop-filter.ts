import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, type WasmKernelArgs, addr, alloc, f32, release, runWasmKernel, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { paddedInput } from './padded-input.ts';

function conv2DBackpropFilter(args: WasmKernelArgs): Info {
  const { backend } = args;
  const x = args.inputs.x as Info;
  const dy = args.inputs.dy as Info;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
  const dw = info.outChannels % 8 === 0 ? accumulateNative(backend, x, dy, info) : viaPatches(backend, x, dy, info);
  return { ...dw, shape: attrs.filterShape };
}

/** Must cover DW_BLOCK_PIXELS in native/conv.c. */
const OFFSET_SCRATCH = 128;

/** Accumulates dW tile by tile straight from the windows of x, with no patch matrix. */
function accumulateNative(backend: BackendWasm, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const input = paddedInput(backend, x, info);
  const dyPanels = alloc(backend, [pixels * info.outChannels]);
  const offsets = alloc(backend, [OFFSET_SCRATCH]);
  const dw = alloc(backend, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  const native = nativeKernels(backend);
  native.pack_panels(addr(backend, dy), addr(backend, dyPanels), pixels, info.outChannels);
  native.conv_backprop_filter(
    addr(backend, input.x), addr(backend, dyPanels), addr(backend, dw), addr(backend, offsets),
    info.batchSize, input.height, input.width, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
  );
  release(backend, dyPanels, offsets);
  input.done();
  return dw;
}

/**
 * For output channel counts the native tiles do not cover: dW = patches(x)^T * dy on XNNPACK's
 * matrix multiply, the patch matrix holding each output pixel's window of x.
 */
function viaPatches(backend: BackendWasm, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = alloc(backend, [pixels, patchSize]);
  extractPatches(f32(backend, x), f32(backend, patches), info);
  const patchesT = runWasmKernel(backend, 'Transpose', { inputs: { x: patches }, attrs: { perm: [1, 0] } });
  release(backend, patches);
  const dyMatrix: Info = { dataId: dy.dataId, shape: [pixels, info.outChannels], dtype: 'float32' };
  const dw = runWasmKernel(backend, 'BatchMatMul', {
    inputs: { a: patchesT, b: dyMatrix },
    attrs: { transposeA: false, transposeB: false },
  });
  release(backend, patchesT);
  return dw;
}

function extractPatches(x: Float32Array, patches: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const runFloats = filterWidth * inChannels;
  const patchSize = filterHeight * runFloats;
  if (top > 0 || left > 0 || info.padInfo.bottom > 0 || info.padInfo.right > 0) patches.fill(0);
  let p = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, p++) {
        const iw0 = ow * strideWidth - left;
        const skip = Math.max(0, -iw0);
        const take = Math.min(filterWidth, inWidth - iw0) - skip;
        if (take <= 0) continue;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - top + kh;
          if (ih < 0 || ih >= inHeight) continue;
          const from = ((n * inHeight + ih) * inWidth + iw0 + skip) * inChannels;
          patches.set(x.subarray(from, from + take * inChannels), p * patchSize + kh * runFloats + skip * inChannels);
        }
      }
    }
  }
}

export const conv2DBackpropFilterConfig = wasmKernelConfig('Conv2DBackpropFilter', conv2DBackpropFilter);

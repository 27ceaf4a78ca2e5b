import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, type WasmKernelArgs, addr, alloc, panels8, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { winogradApplies, winogradConvolve } from './winograd.ts';

function conv2DBackpropInput(args: WasmKernelArgs): Info {
  const { backend } = args;
  const dy = args.inputs.dy as Info;
  const filter = args.inputs.filter as Info;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropInput supports NHWC only');
  if (winogradApplies(info, info.outChannels, info.inChannels)) return viaWinograd(backend, dy, filter, info);
  return scatterNative(backend, dy, filter, info);
}

/** Each dy pixel times the filter, added straight into dx: no work on padding or stride gaps. */
function scatterNative(backend: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const taps = info.filterHeight * info.filterWidth;
  const packed = alloc(backend, [taps * panels8(info.inChannels) * info.outChannels]);
  const dx = alloc(backend, info.inShape);
  const native = nativeKernels(backend);
  native.pack_taps_transposed(addr(backend, filter), addr(backend, packed), taps, info.inChannels, info.outChannels);
  native.conv_backprop_input(
    addr(backend, dy), addr(backend, packed), addr(backend, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  );
  release(backend, packed);
  return dx;
}

/**
 * For 3x3 filters at stride 1: dx is the valid convolution of dy, padded by 2 less the forward
 * padding on each side, with the filter rotated by 180 degrees and its channel axes swapped, which
 * the Winograd kernel runs with 9/4 fewer multiply-adds than the scatter.
 */
function viaWinograd(backend: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const top = 2 - info.padInfo.top;
  const left = 2 - info.padInfo.left;
  const bottom = info.inHeight + 2 - info.outHeight - top;
  const right = info.inWidth + 2 - info.outWidth - left;
  const height = info.outHeight + top + bottom;
  const width = info.outWidth + left + right;
  const padded = alloc(backend, [info.batchSize, height, width, info.outChannels]);
  nativeKernels(backend).pad_images(
    addr(backend, dy), addr(backend, padded), info.batchSize, info.outHeight, info.outWidth, info.outChannels, top, bottom, left, right,
  );
  const shape = { N: info.batchSize, H: height, W: width, C: info.outChannels, OC: info.inChannels };
  const dx = winogradConvolve(backend, padded, filter, shape, { rotate: true });
  release(backend, padded);
  return dx;
}

export const conv2DBackpropInputConfig = wasmKernelConfig('Conv2DBackpropInput', conv2DBackpropInput);

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, type WasmKernelArgs, addr, alloc, panels8, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { winogradApplies, winogradInputGradient } from './winograd.ts';

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

/** For 3x3 filters at stride 1, with 9/4 fewer multiply-adds than the scatter (native/winograd.c). */
function viaWinograd(backend: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const shape = { N: info.batchSize, H: info.inHeight, W: info.inWidth, C: info.inChannels, OC: info.outChannels };
  return winogradInputGradient(backend, dy, filter, shape, info.padInfo);
}

export const conv2DBackpropInputConfig = wasmKernelConfig('Conv2DBackpropInput', conv2DBackpropInput);

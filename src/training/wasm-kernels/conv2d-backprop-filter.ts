import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, type WasmKernelArgs, addr, alloc, panels8, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { paddedInput } from './padded-input.ts';
import { winogradApplies, winogradFilterGradient } from './winograd.ts';

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
  const dw = winogradApplies(info, info.inChannels, info.outChannels) ? viaWinograd(backend, x, dy, info) : accumulateNative(backend, x, dy, info);
  return { ...dw, shape: attrs.filterShape };
}

/** Must cover DW_BLOCK_PIXELS in native/conv.c. */
const OFFSET_SCRATCH = 128;

/** Accumulates dW tile by tile straight from the windows of x, with no patch matrix. */
function accumulateNative(backend: BackendWasm, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const input = paddedInput(backend, x, info);
  const dyPanels = alloc(backend, [pixels * panels8(info.outChannels)]);
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

/** dW for 3x3 filters at stride 1, with 9/4 fewer multiply-adds (native/winograd.c). */
function viaWinograd(backend: BackendWasm, x: Info, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const input = paddedInput(backend, x, info);
  const shape = { N: info.batchSize, H: input.height, W: input.width, C: info.inChannels, OC: info.outChannels };
  const dw = winogradFilterGradient(backend, input.x, dy, shape);
  input.done();
  return dw;
}

export const conv2DBackpropFilterConfig = wasmKernelConfig('Conv2DBackpropFilter', conv2DBackpropFilter);

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, type WasmKernelArgs, addr, alloc, f32, release, runWasmKernel, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

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
  return info.inChannels % 8 === 0 ? scatterNative(backend, dy, filter, info) : viaForwardConv(backend, dy, filter, info);
}

/** Each dy pixel times the filter, added straight into dx: no work on padding or stride gaps. */
function scatterNative(backend: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const taps = info.filterHeight * info.filterWidth;
  const packed = alloc(backend, [taps * info.inChannels * info.outChannels]);
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
 * For channel counts the native tiles do not cover: dx as an XNNPACK forward convolution of dy
 * spread onto a zero grid (stride-1 gaps between its pixels, a border of filter-1-pad) with the
 * filter rotated by 180 degrees and its channel axes swapped.
 */
function viaForwardConv(backend: BackendWasm, dy: Info, filter: Info, info: tf.backend_util.Conv2DInfo): Info {
  const spreadShape = [
    info.batchSize,
    info.inHeight + info.filterHeight - 1,
    info.inWidth + info.filterWidth - 1,
    info.outChannels,
  ];
  const spread = alloc(backend, spreadShape);
  const rotated = alloc(backend, [info.filterHeight, info.filterWidth, info.outChannels, info.inChannels]);
  spreadOntoGrid(f32(backend, dy), f32(backend, spread), info);
  rotateFilter(f32(backend, filter), f32(backend, rotated), info);
  const dx = runWasmKernel(backend, 'Conv2D', {
    inputs: { x: spread, filter: rotated },
    attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
  });
  release(backend, spread, rotated);
  return dx;
}

function spreadOntoGrid(dy: Float32Array, grid: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  grid.fill(0);
  const { batchSize, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const gridHeight = info.inHeight + info.filterHeight - 1;
  const gridWidth = info.inWidth + info.filterWidth - 1;
  const top = info.filterHeight - 1 - info.padInfo.top;
  const left = info.filterWidth - 1 - info.padInfo.left;
  const rowFloats = outWidth * outChannels;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const gh = oh * strideHeight + top;
      if (gh < 0 || gh >= gridHeight) continue;
      const dyRow = (n * outHeight + oh) * rowFloats;
      const gridRow = (n * gridHeight + gh) * gridWidth;
      if (strideWidth === 1 && left >= 0 && left + outWidth <= gridWidth) {
        grid.set(dy.subarray(dyRow, dyRow + rowFloats), (gridRow + left) * outChannels);
        continue;
      }
      for (let ow = 0; ow < outWidth; ow++) {
        const gw = ow * strideWidth + left;
        if (gw < 0 || gw >= gridWidth) continue;
        const from = dyRow + ow * outChannels;
        grid.set(dy.subarray(from, from + outChannels), (gridRow + gw) * outChannels);
      }
    }
  }
}

function rotateFilter(filter: Float32Array, out: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      const src = ((kh - 1 - h) * kw + (kw - 1 - w)) * ci * co;
      const dst = (h * kw + w) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) out[dst + o * ci + c] = filter[src + c * co + o]!;
      }
    }
  }
}

export const conv2DBackpropInputConfig = wasmKernelConfig('Conv2DBackpropInput', conv2DBackpropInput);

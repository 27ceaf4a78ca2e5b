import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type Info, addr, alloc, panels8, release } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Tiles per block of native/winograd.c: its transformed inputs and products (16 * block * channels
 * floats each) stay in L2 beside the transformed filter.
 */
const BLOCK_TILES = 64;

/**
 * Whether a convolution with this many input and output channels goes the Winograd way: 3x3,
 * stride 1, no dilation, channels in fours, and enough of them that the transforms (per tile, a
 * few adds per channel) cost little beside the products saved (9/4 fewer multiply-adds).
 */
export function winogradApplies(info: tf.backend_util.Conv2DInfo, inChannels: number, outChannels: number): boolean {
  return (
    info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.dataFormat === 'channelsLast' &&
    inChannels % 4 === 0 && outChannels % 4 === 0 && inChannels >= 8
  );
}

/**
 * relu?(conv3x3(x, w) + bias?), valid, stride 1, where x is already padded ([N][H][W][C]).
 */
export function winogradConvolve(
  backend: BackendWasm,
  x: Info,
  w: Info,
  shape: { N: number; H: number; W: number; C: number; OC: number },
  options: { bias?: Info; relu?: boolean } = {},
): Info {
  const { N, H, W, C, OC } = shape;
  const U = alloc(backend, [16 * C * panels8(OC)]);
  const V = alloc(backend, [16 * (BLOCK_TILES * C + 16)]);
  const M = alloc(backend, [16 * (BLOCK_TILES * OC + 16)]);
  const edge = alloc(backend, [16 * C]);
  const y = alloc(backend, [N, H - 2, W - 2, OC]);
  const native = nativeKernels(backend);
  native.winograd_pack_filter(addr(backend, w), addr(backend, U), C, OC, 0);
  native.winograd_conv(
    addr(backend, x), addr(backend, U), options.bias === undefined ? 0 : addr(backend, options.bias), options.relu ? 1 : 0,
    addr(backend, y), addr(backend, V), addr(backend, M), addr(backend, edge), N, H, W, C, OC, BLOCK_TILES,
  );
  release(backend, U, V, M, edge);
  return y;
}

/**
 * The filter gradient of a 3x3 stride-1 valid convolution of x (already padded, [N][H][W][C]) that
 * gave dy ([N][H-2][W-2][OC]): per tile, the transformed dy times the transformed x window, summed
 * over tiles in the transformed domain (16 products [C][tiles] x [tiles][OC] per block) and
 * transformed back once.
 */
export function winogradFilterGradient(
  backend: BackendWasm,
  x: Info,
  dy: Info,
  shape: { N: number; H: number; W: number; C: number; OC: number },
): Info {
  const { N, H, W, C, OC } = shape;
  const V = alloc(backend, [16 * (BLOCK_TILES * C + 16)]);
  const D = alloc(backend, [16 * (BLOCK_TILES * panels8(OC) + 16)]);
  const M = alloc(backend, [16 * (C * OC + 16)]);
  const edge = alloc(backend, [16 * C]);
  const dw = alloc(backend, [3, 3, C, OC]);
  nativeKernels(backend).winograd_filter_grad(
    addr(backend, x), addr(backend, dy), addr(backend, dw), addr(backend, V), addr(backend, D), addr(backend, M),
    addr(backend, edge), N, H, W, C, OC, BLOCK_TILES,
  );
  release(backend, V, D, M, edge);
  return dw;
}

/**
 * dx of a 3x3 stride-1 convolution of x ([N][H][W][C], padded by `pad` inside the convolution)
 * that gave dy: per output tile, transformed dy times the transposed transformed filter, transformed
 * back and added into dx at the tile's window, with no work on padding.
 */
export function winogradInputGradient(
  backend: BackendWasm,
  dy: Info,
  w: Info,
  shape: { N: number; H: number; W: number; C: number; OC: number },
  pad: { top: number; bottom: number; left: number; right: number },
): Info {
  const { N, H, W, C, OC } = shape;
  const UT = alloc(backend, [16 * OC * panels8(C)]);
  const D = alloc(backend, [16 * (BLOCK_TILES * OC + 16)]);
  const X = alloc(backend, [16 * (BLOCK_TILES * C + 16)]);
  const dx = alloc(backend, [N, H, W, C]);
  const native = nativeKernels(backend);
  native.winograd_pack_filter(addr(backend, w), addr(backend, UT), C, OC, 1);
  native.winograd_input_grad(
    addr(backend, dy), addr(backend, UT), addr(backend, dx), addr(backend, D), addr(backend, X),
    N, H, W, C, OC, pad.top, pad.bottom, pad.left, pad.right, BLOCK_TILES,
  );
  release(backend, UT, D, X);
  return dx;
}

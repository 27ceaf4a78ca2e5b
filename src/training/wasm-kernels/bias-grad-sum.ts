import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, release, wrapKernel } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Sum, with the bias gradient's case (every axis but the last) done as column sums; the wasm
 * package transposes the whole tensor first to bring the reduced axes innermost.
 */
export function makeSumConfig(original: tf.KernelConfig): tf.KernelConfig {
  function sum(args: WasmKernelArgs, fallback: () => Info): Info {
    const { backend } = args;
    const x = args.inputs.x as Info;
    const attrs = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
    const allButLast = rank >= 2 && axes.length === rank - 1 && axes.every((axis, i) => axis === i);
    if (x.dtype !== 'float32' || !allButLast) return fallback();
    const channels = x.shape[rank - 1]!;
    const out = alloc(backend, attrs.keepDims ? [...new Array<number>(rank - 1).fill(1), channels] : [channels]);
    const partial = alloc(backend, [channels]);
    nativeKernels(backend).column_sums(addr(backend, x), addr(backend, out), addr(backend, partial), tf.util.sizeFromShape(x.shape) / channels, channels);
    release(backend, partial);
    return out;
  }
  return wrapKernel(original, sum);
}

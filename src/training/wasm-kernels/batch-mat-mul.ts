import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, panels8, release, wrapKernel } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Single matrix products on the native tiles, transposed operands included: the wasm package
 * sends every transposed product (both of a dense layer's gradients) to a scalar loop.
 */
export function makeBatchMatMulConfig(original: tf.KernelConfig): tf.KernelConfig {
  function batchMatMul(args: WasmKernelArgs, fallback: () => Info): Info {
    const { backend } = args;
    const a = args.inputs.a as Info;
    const b = args.inputs.b as Info;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const [ar, br] = [a.shape.length, b.shape.length];
    const M = transposeA ? a.shape[ar - 1]! : a.shape[ar - 2]!;
    const K = transposeA ? a.shape[ar - 2]! : a.shape[ar - 1]!;
    const N = transposeB ? b.shape[br - 2]! : b.shape[br - 1]!;
    const single = tf.util.sizeFromShape(a.shape.slice(0, -2)) === 1 && tf.util.sizeFromShape(b.shape.slice(0, -2)) === 1;
    const innerMatches = K === (transposeB ? b.shape[br - 1] : b.shape[br - 2]);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !single || !innerMatches) {
      return fallback();
    }
    const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const packed = alloc(backend, [K * panels8(N)]);
    const c = alloc(backend, [...outer, M, N]);
    const native = nativeKernels(backend);
    if (transposeB) native.pack_panels_transposed(addr(backend, b), addr(backend, packed), K, N);
    else native.pack_panels(addr(backend, b), addr(backend, packed), K, N);
    const [rowStride, kStride] = transposeA ? [1, M] : [K, 1];
    native.gemm(addr(backend, a), rowStride, kStride, addr(backend, packed), addr(backend, c), M, N, K);
    release(backend, packed);
    return c;
  }
  return wrapKernel(original, batchMatMul);
}

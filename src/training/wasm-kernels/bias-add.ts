import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, wrapKernel } from './heap.ts';
import { nativeKernels } from './native.ts';

/**
 * Add, with its most common training case, a bias vector broadcast over the last axis (layers add
 * biases themselves while gradients are recorded, because tfjs does not fuse then), taken off the
 * wasm package's generic broadcasting loop.
 */
export function makeAddConfig(original: tf.KernelConfig): tf.KernelConfig {
  function add(args: WasmKernelArgs, fallback: () => Info): Info {
    const { backend } = args;
    const a = args.inputs.a as Info;
    const b = args.inputs.b as Info;
    const channels = a.shape[a.shape.length - 1] ?? 0;
    const isBiasAdd =
      a.dtype === 'float32' && b.dtype === 'float32' && a.shape.length >= 2 && b.shape.length === 1 && b.shape[0] === channels;
    if (!isBiasAdd) return fallback();
    const y = alloc(backend, a.shape);
    nativeKernels(backend).add_bias(addr(backend, a), addr(backend, b), addr(backend, y), tf.util.sizeFromShape(a.shape) / channels, channels, 0);
    return y;
  }
  return wrapKernel(original, add);
}

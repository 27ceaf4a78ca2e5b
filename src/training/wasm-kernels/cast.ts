import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, wrapKernel } from './heap.ts';

/**
 * Cast to the dtype a tensor already has shares its buffer, as Identity does here; relu's
 * gradient casts a float32 step mask to float32, and the package copies it.
 */
export function makeCastConfig(original: tf.KernelConfig): tf.KernelConfig {
  function cast(args: WasmKernelArgs, fallback: () => Info): Info {
    const x = args.inputs.x as Info;
    if ((args.attrs as unknown as tf.CastAttrs).dtype !== x.dtype) return fallback();
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }
  return wrapKernel(original, cast);
}

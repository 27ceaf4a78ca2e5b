import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Info } from './heap.ts';

type Args = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.NamedAttrMap };

/**
 * Cast to the dtype a tensor already has shares its buffer, as Identity does here; relu's
 * gradient casts a float32 step mask to float32, and the package copies it.
 */
export function makeCastConfig(original: tf.KernelConfig): tf.KernelConfig {
  function cast(args: Args): Info {
    const x = args.inputs.x as Info;
    if ((args.attrs as unknown as tf.CastAttrs).dtype !== x.dtype) {
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    }
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }
  return { ...original, kernelFunc: cast as unknown as tf.KernelFunc };
}

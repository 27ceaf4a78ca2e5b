import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Info } from './heap.ts';

/**
 * Identity as a shared reference, as the cpu backend does it. The engine clones every tensor it
 * saves for the backward pass, and the wasm package copies the bytes each time; no wasm kernel
 * writes into its inputs, so sharing the buffer is safe.
 */
function identity(args: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm }): Info {
  const x = args.inputs.x as Info;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as tf.KernelFunc,
};

import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

const RELU_GRAD = 'DigitlabReluGrad';

/** dx = dy * step(x) in one pass (native relu_backward). */
function reluGrad(args: WasmKernelArgs): Info {
  const { backend } = args;
  const { dy, x } = args.inputs as Record<string, Info>;
  const dx = alloc(backend, x!.shape);
  nativeKernels(backend).relu_backward(addr(backend, dy!), addr(backend, x!), addr(backend, dx), tf.util.sizeFromShape(x!.shape));
  return dx;
}

export const reluGradConfig = wasmKernelConfig(RELU_GRAD, reluGrad);

/**
 * Relu's gradient, on wasm as one kernel instead of tfjs' three (Step, Cast, Multiply, each with
 * its engine overhead and a pass over the tensor); elsewhere tfjs' own, as gradients are not per
 * backend.
 */
export const reluGradient: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const grad = dy as tf.Tensor;
    if (tf.getBackend() === 'wasm' && grad.dtype === 'float32' && x.dtype === 'float32') {
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: grad, x }, {}) as tf.Tensor };
    }
    return { x: () => tf.mul(grad, tf.cast(tf.step(x), 'float32')) };
  },
};

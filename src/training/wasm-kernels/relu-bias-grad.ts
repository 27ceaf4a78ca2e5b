import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';

const RELU_BIAS_GRAD = 'DigitlabReluBiasGrad';

/** Inputs dy and y (the relu's output); outputs [dy * step(y), its sums over every axis but the last]. */
function reluBiasGrad(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { dy, y } = args.inputs as Record<string, Info>;
  const channels = y!.shape[y!.shape.length - 1]!;
  const [dz, db, partial] = [alloc(backend, y!.shape), alloc(backend, [channels]), alloc(backend, [channels])];
  nativeKernels(backend).relu_bias_backward(
    addr(backend, dy!), addr(backend, y!), addr(backend, dz), addr(backend, db), addr(backend, partial),
    tf.util.sizeFromShape(y!.shape) / channels, channels,
  );
  release(backend, partial);
  return [dz, db];
}

type MultiOutputKernel = (args: WasmKernelArgs) => Info;
export const reluBiasGradConfig = wasmKernelConfig(RELU_BIAS_GRAD, reluBiasGrad as unknown as MultiOutputKernel);

/**
 * For the gradient of a layer's fused bias and (if relu) relu, from the gradient of its output y:
 * the gradient before them, dz, and the bias's. With relu, one pass for both (relu's output is
 * positive exactly where its input is); the same values as tfjs' Relu and Add gradients.
 */
export function biasActivationGradient(dy: tf.Tensor, y: tf.Tensor, relu: boolean): { dz: tf.Tensor; dbias: () => tf.Tensor } {
  if (!relu) return { dz: dy, dbias: () => tf.sum(dy, [...Array(dy.rank - 1).keys()]) };
  const [dz, dbias] = tf.engine().runKernel(RELU_BIAS_GRAD, { dy, y }, {}) as tf.Tensor[];
  return { dz: dz!, dbias: () => dbias! };
}

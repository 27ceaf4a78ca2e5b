import * as tf from '@tensorflow/tfjs';
import { DENSE_TRAINING, type DenseTrainingAttrs } from '../../models/dense-kernel.ts';
import { type Info, type WasmKernelArgs, addr, runWasmKernel, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { biasActivationGradient } from './relu-bias-grad.ts';

/** The product on the BatchMatMul kernel's native tiles, then bias and relu in one pass over it. */
function denseTraining(args: WasmKernelArgs): Info {
  const { backend } = args;
  const { x, kernel, bias } = args.inputs as Record<string, Info>;
  const { relu } = args.attrs as unknown as DenseTrainingAttrs;
  const y = runWasmKernel(backend, 'BatchMatMul', { inputs: { a: x!, b: kernel! }, attrs: { transposeA: false, transposeB: false } });
  const [rows, units] = y.shape as [number, number];
  nativeKernels(backend).add_bias(addr(backend, y), addr(backend, bias!), addr(backend, y), rows, units, relu ? 1 : 0);
  return y;
}

export const denseTrainingConfig = wasmKernelConfig(DENSE_TRAINING, denseTraining);

const matMul = (a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) =>
  tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as tf.Tensor;

/**
 * The gradient of DENSE_TRAINING: relu's and the bias's (biasActivationGradient), then the
 * product's, as tfjs' MatMul gradient computes them.
 */
export const denseTrainingGradient: tf.GradConfig = {
  kernelName: DENSE_TRAINING,
  inputsToSave: ['x', 'kernel'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, kernel, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const { dz, dbias } = biasActivationGradient(dy as tf.Tensor, y, (attrs as unknown as DenseTrainingAttrs).relu);
    return { x: () => matMul(dz, kernel, false, true), kernel: () => matMul(x, dz, true, false), bias: dbias };
  },
};

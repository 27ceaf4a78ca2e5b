import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, addr, alloc, release, wasmKernelConfig } from './heap.ts';
import { nativeKernels } from './native.ts';
import { BATCH_NORM_TRAINING, type BatchNormTrainingAttrs } from '../../models/batch-norm-kernel.ts';

/** The wasm side of the batch-norm layer's fused training step (models/batch-norm-kernel.ts says what it computes) and of its gradient. */
const BATCH_NORM_TRAINING_GRAD = 'DigitlabBatchNormTrainingGrad';

const channelsOf = (x: Info) => x.shape[x.shape.length - 1]!;
const rowsOf = (x: Info) => tf.util.sizeFromShape(x.shape) / channelsOf(x);

function batchNormTraining(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { x, scale, offset } = args.inputs as Record<string, Info>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const channels = channelsOf(x!);
  const [y, mean, variance, scratch] = [alloc(backend, x!.shape), alloc(backend, [channels]), alloc(backend, [channels]), alloc(backend, [3 * channels])];
  nativeKernels(backend).batch_norm_forward(
    addr(backend, x!), addr(backend, scale!), addr(backend, offset!), addr(backend, y), addr(backend, mean), addr(backend, variance),
    addr(backend, scratch), rowsOf(x!), channels, varianceEpsilon,
  );
  release(backend, scratch);
  return [y, mean, variance];
}

/** Inputs dy, x, mean, variance, scale; outputs [dx, dscale, doffset]. */
function batchNormTrainingGrad(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { dy, x, mean, variance, scale } = args.inputs as Record<string, Info>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const channels = channelsOf(x!);
  const [dx, dscale, doffset, scratch] = [alloc(backend, x!.shape), alloc(backend, [channels]), alloc(backend, [channels]), alloc(backend, [5 * channels])];
  nativeKernels(backend).batch_norm_backward(
    addr(backend, dy!), addr(backend, x!), addr(backend, mean!), addr(backend, variance!), addr(backend, scale!),
    addr(backend, dx), addr(backend, dscale), addr(backend, doffset), addr(backend, scratch), rowsOf(x!), channels, varianceEpsilon,
  );
  release(backend, scratch);
  return [dx, dscale, doffset];
}

type MultiOutputKernel = (args: WasmKernelArgs) => Info;
export const batchNormTrainingConfig = wasmKernelConfig(BATCH_NORM_TRAINING, batchNormTraining as unknown as MultiOutputKernel);
export const batchNormTrainingGradConfig = wasmKernelConfig(BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad as unknown as MultiOutputKernel);

/**
 * The gradient of BATCH_NORM_TRAINING with respect to x, scale and offset, through the batch
 * statistics too. The mean and variance outputs feed only the moving averages, which are not
 * differentiated, so their incoming gradients (zeros) are ignored.
 */
export const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (dys as tf.Tensor[])[0]!;
    const [x, scale, mean, variance] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const [dx, dscale, doffset] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { dy, x, mean, variance, scale }, attrs) as tf.Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

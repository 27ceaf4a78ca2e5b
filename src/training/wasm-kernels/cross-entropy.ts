import * as tf from '@tensorflow/tfjs';
import { type Info, type WasmKernelArgs, alloc, f32, wasmKernelConfig } from './heap.ts';

/**
 * Kernel name of a training step's loss and counts on probabilities p [rows][classes] (a softmax's
 * output) and targets t of the same shape: outputs [mean categorical cross-entropy, [correct rows,
 * non-finite p values]]. tfjs composes these from some twenty kernels and as many more for the
 * gradient, each costing the engine and the tape more than its arithmetic on a [64][10] batch.
 */
export const CROSS_ENTROPY_WITH_COUNTS = 'DigitlabCrossEntropyWithCounts';
const CROSS_ENTROPY_GRAD = 'DigitlabCrossEntropyGrad';

/** Keras' clipping of probabilities away from 0 and 1 (tfjs-layers' epsilon()), as float32 bounds. */
const LOW = Math.fround(1e-7);
const HIGH = Math.fround(1 - 1e-7);

const fr = Math.fround;
const shapeOf = (p: Info) => ({ rows: p.shape[0]!, classes: p.shape[1]! });

/** A row's sum in order, in float32, as tfjs' Sum over the last axis. */
function rowSum(values: Float32Array, start: number, classes: number): number {
  let sum = 0;
  for (let j = 0; j < classes; j++) sum = fr(sum + values[start + j]!);
  return sum;
}

/** The first index of the row's maximum (strictly greater wins), as tfjs' ArgMax. */
function argMax(values: Float32Array, start: number, classes: number): number {
  let best = 0;
  for (let j = 1; j < classes; j++) if (values[start + j]! > values[start + best]!) best = j;
  return best;
}

/**
 * tfjs-layers' categoricalCrossentropy, row by row in float32: p normalised by its row sum,
 * clipped to [LOW, HIGH], then -sum(t * log(q)); and the mean of the rows.
 */
function crossEntropyWithCounts(args: WasmKernelArgs): Info[] {
  const { backend } = args;
  const { p, t } = args.inputs as Record<string, Info>;
  const { rows, classes } = shapeOf(p!);
  const [loss, counts] = [alloc(backend, []), alloc(backend, [2])];
  const [pv, tv] = [f32(backend, p!), f32(backend, t!)];
  let total = 0;
  let correct = 0;
  let nonFinite = 0;
  for (let r = 0, start = 0; r < rows; r++, start += classes) {
    const s = rowSum(pv, start, classes);
    let row = 0;
    for (let j = 0; j < classes; j++) {
      const q = Math.min(Math.max(fr(pv[start + j]! / s), LOW), HIGH);
      row = fr(row + fr(tv[start + j]! * fr(Math.log(q))));
      if (!Number.isFinite(pv[start + j]!)) nonFinite++;
    }
    total = fr(total - row);
    if (argMax(pv, start, classes) === argMax(tv, start, classes)) correct++;
  }
  f32(backend, loss).set([fr(total / rows)]);
  f32(backend, counts).set([correct, nonFinite]);
  return [loss, counts];
}

/**
 * Inputs dy (the loss's gradient, a scalar), p and t; output dp: the chain of tfjs' gradients for
 * the ops above (mean, sum, log, clip, the division by the row sum), per row in float32.
 */
function crossEntropyGrad(args: WasmKernelArgs): Info {
  const { backend } = args;
  const { dy, p, t } = args.inputs as Record<string, Info>;
  const { rows, classes } = shapeOf(p!);
  const dp = alloc(backend, p!.shape);
  const [dyv, pv, tv, out] = [f32(backend, dy!), f32(backend, p!), f32(backend, t!), f32(backend, dp)];
  const dRow = -fr(dyv[0]! / rows);
  const dq = new Float32Array(classes);
  for (let r = 0, start = 0; r < rows; r++, start += classes) {
    const s = rowSum(pv, start, classes);
    let dsNumerator = 0;
    for (let j = 0; j < classes; j++) {
      const q = fr(pv[start + j]! / s);
      const inside = q >= LOW && q <= HIGH;
      dq[j] = inside ? fr(fr(dRow * tv[start + j]!) / q) : 0;
      dsNumerator = fr(dsNumerator + fr(dq[j]! * pv[start + j]!));
    }
    const ds = -fr(dsNumerator / fr(s * s));
    for (let j = 0; j < classes; j++) out[start + j] = fr(dq[j]! / s) + ds;
  }
  return dp;
}

type MultiOutputKernel = (args: WasmKernelArgs) => Info;
export const crossEntropyWithCountsConfig = wasmKernelConfig(CROSS_ENTROPY_WITH_COUNTS, crossEntropyWithCounts as unknown as MultiOutputKernel);
export const crossEntropyGradConfig = wasmKernelConfig(CROSS_ENTROPY_GRAD, crossEntropyGrad);

/** The loss's gradient with respect to p; the counts have none, and t is not differentiated. */
export const crossEntropyWithCountsGradient: tf.GradConfig = {
  kernelName: CROSS_ENTROPY_WITH_COUNTS,
  inputsToSave: ['p', 't'],
  gradFunc: (dys, saved) => {
    const dy = (dys as tf.Tensor[])[0]!;
    const [p, t] = saved as [tf.Tensor, tf.Tensor];
    return { p: () => tf.engine().runKernel(CROSS_ENTROPY_GRAD, { dy, p, t }, {}) as tf.Tensor };
  },
};

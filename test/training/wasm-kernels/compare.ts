import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/training/wasm-kernels/index.ts';

/** Deterministic uniform values in [-1, 1), so a failure reproduces. */
export function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

export interface KernelCall {
  kernelName: string;
  inputs: Record<string, { values: Float32Array; shape: number[] }>;
  attrs: Record<string, unknown>;
}

/** Runs one kernel on a backend and returns its output values and shape. */
export async function runOn(backendName: 'cpu' | 'wasm', call: KernelCall): Promise<{ values: Float32Array; shape: number[] }> {
  await useBackend(backendName);
  const inputs: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(call.inputs)) inputs[name] = tf.tensor(input.values, input.shape);
  const out = tf.engine().runKernel(call.kernelName, inputs, call.attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(inputs)]);
  return result;
}

export async function useBackend(name: 'cpu' | 'wasm'): Promise<void> {
  if (name === 'wasm') registerWasmTrainingKernels();
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`cannot start ${name}`);
  await tf.ready();
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(worst) ? Infinity : worst;
}

/** The wasm result against the cpu reference: same shape, max abs error, and the reference's scale. */
export async function compareWithCpu(call: KernelCall): Promise<{ shapesMatch: boolean; error: number; scale: number }> {
  const expected = await runOn('cpu', call);
  const actual = await runOn('wasm', call);
  const scale = expected.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return {
    shapesMatch: JSON.stringify(expected.shape) === JSON.stringify(actual.shape),
    error: maxAbsDiff(expected.values, actual.values),
    scale,
  };
}

/**
 * The live tensors and wasm buffers after each of four training steps of `layer` on `x`: a layer
 * that leaks nothing holds them level from the second step on (the first allocates its state).
 */
export function liveCountsOverTrainingSteps(layer: tf.layers.Layer, x: tf.Tensor): number[][] {
  layer.build(x.shape);
  const live: number[][] = [];
  for (let step = 0; step < 4; step++) {
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: true }) as tf.Tensor)));
    tf.dispose([value, ...Object.values(grads)]);
    live.push([tf.memory().numTensors, tf.engine().backend.numDataIds()]);
  }
  return live;
}

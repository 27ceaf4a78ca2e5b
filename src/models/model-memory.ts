import os from 'node:os';
import type { ModelSummary } from './model-spec.ts';

/**
 * What training a network takes in memory, estimated from its summary before anything is built,
 * so that a spec too large for the machine is refused up front instead of growing a trainer until
 * the machine swaps or the run dies half-way.
 */
export interface ModelMemory {
  parameters: number;
  /** Weights, their gradients and Adam's two moments: four float32s a trainable parameter. */
  parameterBytes: number;
  /** Every layer's output for one batch, kept for the backward pass, and its gradient there. */
  activationBytes: number;
}

const FLOAT = 4;
const INPUT_VALUES = 28 * 28;
export const GIGABYTE = 1024 ** 3;

export function modelMemory(summary: ModelSummary, batchSize: number): ModelMemory {
  const values = summary.rows.reduce((sum, row) => sum + row.outputShape.reduce((a, b) => a * b, 1), INPUT_VALUES);
  const nonTrainable = summary.totalParameters - summary.trainableParameters;
  return {
    parameters: summary.totalParameters,
    parameterBytes: FLOAT * (4 * summary.trainableParameters + nonTrainable),
    activationBytes: 2 * FLOAT * batchSize * values,
  };
}

/**
 * The default ceiling for one network's training memory: a quarter of this machine's memory. The
 * trainer holds the model on its main thread and a replica on each worker thread (one per core by
 * default), and the machine has other work to do.
 */
export function defaultMemoryLimit(): number {
  return os.totalmem() / 4;
}

export const DEFAULT_LIMIT_WORDS = `a quarter of this machine's ${(os.totalmem() / GIGABYTE).toFixed(1)} GB`;

const gb = (bytes: number) => `${(bytes / GIGABYTE).toFixed(bytes < GIGABYTE ? 3 : 1)} GB`;

/** Why the network does not fit under `limitBytes` (in words for the person), or null. */
export function memoryProblem(memory: ModelMemory, batchSize: number, limitBytes: number): string | null {
  const { parameterBytes, activationBytes } = memory;
  if (parameterBytes + activationBytes <= limitBytes) return null;
  return (
    `training this network needs about ${gb(parameterBytes + activationBytes)}: ${memory.parameters.toLocaleString('en')} parameters take ` +
    `${gb(parameterBytes)} with their gradients and Adam's moments, and its activations ${gb(activationBytes)} a batch of ${batchSize}; ` +
    `the limit is ${gb(limitBytes)}`
  );
}

/**
 * What batch normalisation costs a training step on wasm: samples/s on one thread of the reference
 * CNN and of models with batch norm, with the fused batch-norm kernels (wasm-kernels/
 * batch-norm-training.ts) and with tfjs' stock path (moments + batchNorm and their gradients, the
 * fused kernel unregistered), back to back in rounds, each figure with the share of the machine
 * other processes used meanwhile.
 * Run from the repository root: npx tsx bench/batch-norm.ts [--rounds 3] [--batches 20]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/training/backend.ts';
import { resolveModel } from '../src/cli/model-option.ts';
import { measureTrainingThroughput } from '../src/training/throughput.ts';
import { BATCH_NORM_TRAINING } from '../src/models/batch-norm-kernel.ts';
import { registerWasmTrainingKernels } from '../src/training/wasm-kernels/index.ts';
import { machineLine, measured, percent } from './lib/machine-load.ts';
import { benchOptions, checkedUsage, type BenchScript } from './lib/script-options.ts';

const SCRIPT: BenchScript = {
  file: 'bench/batch-norm.ts',
  summary: 'one-thread training samples/s with the fused batch-norm kernels and with the stock tfjs path',
  options: {
    rounds: { type: 'integer', min: 1, max: 100, description: 'rounds to measure (default 3)' },
    batches: { type: 'integer', min: 1, max: 10_000, description: 'timed steps per figure (default 20)' },
    models: { type: 'string', placeholder: 'A,B', description: 'presets or spec files, as train --model takes them (default reference,batchnorm-cnn)' },
  },
};
const options = benchOptions(SCRIPT);

const models = checkedUsage(SCRIPT, () =>
  ((options.models as string | undefined) ?? 'reference,batchnorm-cnn').split(',').map((name) => resolveModel(name)),
);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function main(): Promise<void> {
  if ((await selectBackend('wasm')) !== 'wasm') throw new Error('wasm backend unavailable');
  const rounds = (options.rounds as number | undefined) ?? 3;
  const batches = (options.batches as number | undefined) ?? 20;
  console.log(`${machineLine()}; batch 64, ${batches} steps a figure, ${rounds} rounds`);
  const figures = new Map<string, number[]>();
  const record = (label: string, value: number) => figures.set(label, [...(figures.get(label) ?? []), value]);
  for (let round = 1; round <= rounds; round++) {
    for (const model of models) {
      const withBatchNorm = model.spec.layers.some((layer) => layer.type === 'batchNormalization');
      const paths = withBatchNorm ? (['fused', 'stock'] as const) : (['fused'] as const);
      for (const path of paths) {
        if (path === 'stock') tf.unregisterKernel(BATCH_NORM_TRAINING, 'wasm');
        const { value, others } = await measured(() => measureTrainingThroughput({ spec: model.spec, batches, warmup: 3 }));
        if (path === 'stock') registerWasmTrainingKernels();
        const label = withBatchNorm ? `${model.name} (${path} batch norm)` : model.name;
        record(label, value.samplesPerSecond);
        console.log(`round ${round}: ${label}: ${value.samplesPerSecond.toFixed(0)} samples/s; other processes used ${percent(others)} of the machine`);
      }
    }
  }
  console.log(`medians over ${rounds} round(s), one thread; ${machineLine()}`);
  for (const [label, values] of figures) console.log(`  ${label.padEnd(40)} ${median(values).toFixed(0).padStart(6)} samples/s`);
}

await main();

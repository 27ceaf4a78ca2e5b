/**
 * Where a training step spends its time on the wasm backend, per kernel.
 * Run from the repository root: npx tsx bench/step-profile.ts [--steps 100] [--batch-size 64] [--model NAME]
 *
 * Every registered wasm kernel is wrapped with a timer that counts its own time only (a kernel
 * that runs others, as ours do, is not charged for theirs). What no kernel accounts for is the
 * JS glue: tfjs' engine, gradient tape, tensor bookkeeping and our step's own code. This measures
 * one thread; data-parallel workers run this same step on a share of the batch each.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/experiments/backend.ts';
import { resolveModel } from '../src/experiments/cli/model-option.ts';
import { buildModel } from '../src/experiments/model.ts';
import { adamOptimizer } from '../src/experiments/optimizer.ts';
import { lossWithCounts } from '../src/experiments/step-loss.ts';
import { machineLine } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/step-profile.ts',
  summary: 'where a training step spends its time on the wasm backend, per kernel (one thread)',
  options: {
    steps: { type: 'integer', min: 1, max: 100_000, description: 'timed steps (default 100)' },
    'batch-size': { type: 'integer', min: 1, max: 4096, description: 'images per step (default 64)' },
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'the network, as train --model takes it (default reference)' },
  },
});

/** Exclusive milliseconds and calls per kernel name, while `recording` is on. */
const spent = new Map<string, { ms: number; calls: number }>();
let recording = false;
const childTime: number[] = [];

function wrapEveryKernel(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    const original = config.kernelFunc;
    const timed: tf.KernelFunc = (args) => {
      childTime.push(0);
      const start = performance.now();
      try {
        return original(args);
      } finally {
        const elapsed = performance.now() - start;
        const own = elapsed - childTime.pop()!;
        if (childTime.length > 0) childTime[childTime.length - 1]! += elapsed;
        if (recording) {
          const entry = spent.get(config.kernelName) ?? { ms: 0, calls: 0 };
          entry.ms += own;
          entry.calls++;
          spent.set(config.kernelName, entry);
        }
      }
    };
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel({ ...config, kernelFunc: timed });
  }
}

async function main(): Promise<void> {
  const steps = (options.steps as number | undefined) ?? 100;
  const batchSize = (options['batch-size'] as number | undefined) ?? 64;
  if ((await selectBackend('wasm')) !== 'wasm') throw new Error('wasm backend unavailable');
  wrapEveryKernel();
  const resolved = resolveModel(options.model as string | undefined);
  const model = buildModel(resolved.spec, 1);
  const optimizer = adamOptimizer(0.001);
  const x = tf.randomUniform([batchSize, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat());
  // The step train.ts runs: loss plus the counts it reads back every batch.
  const step = () => {
    const stats = tf.tidy(() => {
      let counts: tf.Tensor1D | undefined;
      const loss = optimizer.minimize(() => {
        const s = lossWithCounts(model, x, y);
        counts = s.counts;
        return s.loss;
      }, true)!;
      const all = tf.concat([loss.reshape([1]), counts!]);
      counts!.dispose();
      return all;
    });
    stats.dataSync();
    stats.dispose();
  };
  for (let i = 0; i < 10; i++) step();
  recording = true;
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - start) / steps;
  recording = false;
  const rows = [...spent].map(([name, { ms, calls }]) => ({ name, ms: ms / steps, calls: calls / steps }));
  rows.sort((a, b) => b.ms - a.ms);
  const kernels = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${resolved.name}; ${machineLine()}`);
  console.log(`batch ${batchSize}, ${steps} steps: ${total.toFixed(2)} ms a step (${((batchSize * 1000) / total).toFixed(0)} samples/s on one thread)`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(24)} ${r.ms.toFixed(3).padStart(8)} ms ${((r.ms / total) * 100).toFixed(1).padStart(5)}%  ${r.calls.toFixed(0)} calls`);
  }
  console.log(`${'JS glue (no kernel)'.padEnd(24)} ${(total - kernels).toFixed(3).padStart(8)} ms ${(((total - kernels) / total) * 100).toFixed(1).padStart(5)}%`);
}

await main();

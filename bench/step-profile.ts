/**
 * Where a training step spends its time on the wasm backend, per kernel.
 * Run from the repository root: npx tsx bench/step-profile.ts [--steps 100] [--batch-size 64] [--model NAME]
 *   [--augment shift=2,rotate=10,scale=0.1] [--clock cpu]
 *
 * Every registered wasm kernel is wrapped with a timer that counts its own time only (a kernel
 * that runs others, as ours do, is not charged for theirs). What no kernel accounts for is the
 * JS glue: tfjs' engine, gradient tape, tensor bookkeeping and our step's own code. This measures
 * one thread; data-parallel workers run this same step on a share of the batch each.
 *
 * With --augment each step trains on a batch of real training images gathered and augmented as
 * train.ts does it, and that preparation gets its own row: with data-parallel workers it runs on
 * the main thread while they wait, so it adds to every step rather than sharing the cores.
 *
 * With --clock cpu every time is this process's CPU time (user + system) instead of wall time: on a
 * machine that others load, a step's wall time counts the time it waited for a core, its CPU time
 * much less so (caches and a shared core's other thread still skew it).
 */
import * as tf from '@tensorflow/tfjs';
import { formatAugment, parseAugment, transformBatch, type AugmentSettings } from '../src/data/augment/affine.ts';
import { selectBackend } from '../src/training/backend.ts';
import { gatherBatchArrays } from '../src/data/batches.ts';
import { resolveModel } from '../src/cli/model-option.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { buildModel } from '../src/models/model.ts';
import { adamOptimizer } from '../src/training/optimizer.ts';
import { seededRandom, shuffledIndices } from '../src/core/random.ts';
import { lossWithCounts } from '../src/training/step-loss.ts';
import { machineLine } from './lib/machine-load.ts';
import { benchOptions, checkedUsage, type BenchScript } from './lib/script-options.ts';

const SCRIPT: BenchScript = {
  file: 'bench/step-profile.ts',
  summary: 'where a training step spends its time on the wasm backend, per kernel (one thread)',
  options: {
    steps: { type: 'integer', min: 1, max: 100_000, description: 'timed steps (default 100)' },
    'batch-size': { type: 'integer', min: 1, max: 4096, description: 'images per step (default 64)' },
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'the network, as train --model takes it (default reference)' },
    clock: { type: 'choice', choices: ['wall', 'cpu'], description: 'wall time, or this process\'s CPU time (default wall)' },
    augment: {
      type: 'string',
      placeholder: 'shift=2,rotate=10,...',
      description: "train on MNIST batches augmented as train --augment does, timing their preparation (default: one random batch)",
    },
  },
};
const options = benchOptions(SCRIPT);

/** --augment's settings; a bad value exits 2 saying what is allowed, as the flags' checks do. */
function augmentSettings(raw: string | undefined): AugmentSettings | undefined {
  const parsed = raw === undefined ? undefined : parseAugment(raw);
  if (typeof parsed !== 'string') return parsed;
  console.error(`bench/step-profile.ts: --augment ${parsed}`);
  process.exit(2);
}
const augment = augmentSettings(options.augment as string | undefined);
const resolved = checkedUsage(SCRIPT, () => resolveModel(options.model as string | undefined));

/** Milliseconds now, on the clock --clock picks. */
const now: () => number =
  options.clock === 'cpu'
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

/** Exclusive milliseconds and calls per kernel name, while `recording` is on. */
const spent = new Map<string, { ms: number; calls: number }>();
let recording = false;
const childTime: number[] = [];

function wrapEveryKernel(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    const original = config.kernelFunc;
    const timed: tf.KernelFunc = (args) => {
      childTime.push(0);
      const start = now();
      try {
        return original(args);
      } finally {
        const elapsed = now() - start;
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
  const model = buildModel(resolved.spec, 1);
  const optimizer = adamOptimizer(0.001);
  const random = tf.randomUniform([batchSize, 28, 28, 1]);
  const randomLabels = tf.tidy(() => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat());
  const train = augment ? loadMnist('train') : undefined;
  const order = train ? shuffledIndices(train.count, seededRandom(1)) : undefined;
  let preparation = 0;
  let stepIndex = 0;
  /** The step's batch: the random one, or (--augment) MNIST images gathered and augmented, timed. */
  const batch = () => {
    if (!train || !augment) return { x: random, y: randomLabels };
    const start = now();
    const first = (stepIndex++ * batchSize) % (train.count - batchSize);
    const indices = order!.subarray(first, first + batchSize);
    const arrays = gatherBatchArrays(train, indices, (pixels, rows) => transformBatch(pixels, rows, augment, 1, 1));
    const tensors = { x: tf.tensor4d(arrays.pixels, [arrays.rows, 28, 28, 1]), y: tf.tensor2d(arrays.oneHot, [arrays.rows, 10]) };
    if (recording) preparation += now() - start;
    return tensors;
  };
  // The step train.ts runs: loss plus the counts it reads back every batch.
  const step = () => {
    const { x, y } = batch();
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
    if (x !== random) tf.dispose([x, y]);
  };
  for (let i = 0; i < 10; i++) step();
  recording = true;
  const start = now();
  for (let i = 0; i < steps; i++) step();
  const total = (now() - start) / steps;
  recording = false;
  const rows = [...spent].map(([name, { ms, calls }]) => ({ name, ms: ms / steps, calls: calls / steps }));
  rows.sort((a, b) => b.ms - a.ms);
  if (augment) rows.unshift({ name: `batch + --augment ${formatAugment(augment)}`, ms: preparation / steps, calls: 1 });
  const kernels = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${resolved.name}; ${machineLine()}${options.clock === 'cpu' ? '; CPU time' : ''}`);
  console.log(`batch ${batchSize}, ${steps} steps: ${total.toFixed(2)} ms a step (${((batchSize * 1000) / total).toFixed(0)} samples/s on one thread)`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(40)} ${r.ms.toFixed(3).padStart(8)} ms ${((r.ms / total) * 100).toFixed(1).padStart(5)}%  ${r.calls.toFixed(0)} calls`);
  }
  console.log(`${'JS glue (no kernel)'.padEnd(40)} ${(total - kernels).toFixed(3).padStart(8)} ms ${(((total - kernels) / total) * 100).toFixed(1).padStart(5)}%`);
}

await main();

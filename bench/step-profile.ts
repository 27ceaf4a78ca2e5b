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
import { minimizeStep } from '../src/training/step-loss.ts';
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
    'by-shape': { type: 'boolean', description: 'a row per kernel and input shapes, with the multiply-adds per second of convolutions and matrix products' },
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

/** Exclusive milliseconds, calls and multiply-adds per kernel name (and, --by-shape, input shapes), while `recording` is on. */
const spent = new Map<string, { ms: number; calls: number; multiplyAdds: number }>();
const byShape = options['by-shape'] === true;

/**
 * The multiply-adds a convolution or matrix product kernel does, from its input and output
 * shapes (every output element sums kernel-size x input-channel products), or 0 for other kernels.
 */
function multiplyAdds(name: string, inputs: tf.NamedTensorInfoMap, output: tf.TensorInfo | tf.TensorInfo[]): number {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const filter = inputs.filter?.shape;
  if ((name === 'Conv2D' || name === 'FusedConv2D') && filter) return size((output as tf.TensorInfo).shape) * filter[0]! * filter[1]! * filter[2]!;
  if (name === 'Conv2DBackpropInput' && filter) return size(inputs.dy!.shape) * filter[0]! * filter[1]! * filter[2]!;
  if (name === 'Conv2DBackpropFilter') return size(inputs.dy!.shape) * size((output as tf.TensorInfo).shape) / inputs.dy!.shape[3]!;
  if (name === 'BatchMatMul' || name === '_FusedMatMul') {
    const out = (output as tf.TensorInfo).shape;
    const a = inputs.a!.shape;
    const [rows, columns] = [a[a.length - 2]!, a[a.length - 1]!];
    return size(out) * (out[out.length - 2] === rows ? columns : rows);
  }
  return 0;
}
let recording = false;
const childTime: number[] = [];

function wrapEveryKernel(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    const original = config.kernelFunc;
    const timed: tf.KernelFunc = (args) => {
      childTime.push(0);
      const start = now();
      let output: tf.TensorInfo | tf.TensorInfo[] | undefined;
      try {
        output = original(args);
        return output;
      } finally {
        const elapsed = now() - start;
        const own = elapsed - childTime.pop()!;
        if (childTime.length > 0) childTime[childTime.length - 1]! += elapsed;
        if (recording) {
          const shapes = Object.values(args.inputs).flatMap((t) => (t ? [`[${t.shape.join(',')}]`] : [])).join(' ');
          const key = byShape ? `${config.kernelName} ${shapes}` : config.kernelName;
          const entry = spent.get(key) ?? { ms: 0, calls: 0, multiplyAdds: 0 };
          entry.ms += own;
          entry.calls++;
          if (output !== undefined) entry.multiplyAdds += multiplyAdds(config.kernelName, args.inputs, output);
          spent.set(key, entry);
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
  // The step a lone training replica runs: loss plus the counts it reads back every batch.
  const step = () => {
    const { x, y } = batch();
    minimizeStep(model, optimizer, x, y, 0);
    if (x !== random) tf.dispose([x, y]);
  };
  for (let i = 0; i < 10; i++) step();
  recording = true;
  const start = now();
  for (let i = 0; i < steps; i++) step();
  const total = (now() - start) / steps;
  recording = false;
  const rows = [...spent].map(([name, { ms, calls, multiplyAdds }]) => ({ name, ms: ms / steps, calls: calls / steps, multiplyAdds: multiplyAdds / steps }));
  rows.sort((a, b) => b.ms - a.ms);
  if (augment) rows.unshift({ name: `batch + --augment ${formatAugment(augment)}`, ms: preparation / steps, calls: 1, multiplyAdds: 0 });
  const kernels = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`${resolved.name}; ${machineLine()}${options.clock === 'cpu' ? '; CPU time' : ''}`);
  console.log(`batch ${batchSize}, ${steps} steps: ${total.toFixed(2)} ms a step (${((batchSize * 1000) / total).toFixed(0)} samples/s on one thread)`);
  const width = byShape ? 72 : 40;
  for (const r of rows) {
    // Multiply-adds at their direct count: a Winograd kernel does fewer, so its figure can pass the SIMD peak.
    const rate = r.multiplyAdds > 0 ? `  ${(r.multiplyAdds / r.ms / 1e6).toFixed(1)} G multiply-adds/s` : '';
    console.log(`${r.name.padEnd(width)} ${r.ms.toFixed(3).padStart(8)} ms ${((r.ms / total) * 100).toFixed(1).padStart(5)}%  ${r.calls.toFixed(0)} calls${rate}`);
  }
  console.log(`${'JS glue (no kernel)'.padEnd(width)} ${(total - kernels).toFixed(3).padStart(8)} ms ${(((total - kernels) / total) * 100).toFixed(1).padStart(5)}%`);
}

await main();

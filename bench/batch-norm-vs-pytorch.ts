/**
 * digitlab's batch norm beside PyTorch's, layer by layer, on the same weights and the same batches:
 * the moving mean and variance after N steps and the test predictions made with them. Two modes:
 * `forward` runs the batches through in training mode with the weights frozen, so only the moving
 * statistics move and the two engines must agree to float rounding (this checks the fused kernel's
 * moving-average update, the momentum convention and inference from the stored statistics);
 * `train` trains both from the same start with Adam (dropout masks differ between the engines, so
 * the figures agree only in kind). Either way it also scores digitlab's model with each test batch
 * normalised by its own statistics, which says how far the moving statistics lag.
 * Needs /usr/bin/python3 with torch (bench/torch_replay.py).
 * Run from the repository root: npx tsx bench/batch-norm-vs-pytorch.ts [--model FILE.json] [--steps 250] [--mode forward|train]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resolveModel } from '../src/cli/model-option.ts';
import { gatherBatchArrays, scaledPixels } from '../src/data/batches.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { BATCH_NORM_DEFAULTS } from '../src/models/model-spec.ts';
import { buildModel } from '../src/models/model.ts';
import { PYTHON } from '../src/models/pytorch-twin.ts';
import { selectBackend } from '../src/training/backend.ts';
import { localStepper } from '../src/training/steppers.ts';
import { benchOptions, checkedUsage, type BenchScript } from './lib/script-options.ts';

const SCRIPT: BenchScript = {
  file: 'bench/batch-norm-vs-pytorch.ts',
  summary: "batch norm's moving statistics and test predictions in digitlab and in PyTorch (bench/torch_replay.py), from the same weights and batches",
  options: {
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'a network with batch norm, as train --model takes it (default reference-bn)' },
    steps: { type: 'integer', min: 1, max: 10_000, description: 'batches of 64 training images (default 250: 16,000 images, one epoch of --train-limit 20000)' },
    mode: { type: 'choice', choices: ['forward', 'train'], description: 'forward: frozen weights, only the statistics move; train: Adam steps (default forward)' },
    seed: { type: 'integer', min: 0, max: 2 ** 31 - 1, description: 'initial weights (default 1)' },
  },
};
const options = benchOptions(SCRIPT);
const model = checkedUsage(SCRIPT, () => resolveModel((options.model as string | undefined) ?? 'reference-bn'));
const steps = (options.steps as number | undefined) ?? 250;
const mode = (options.mode as 'forward' | 'train' | undefined) ?? 'forward';
const BATCH = 64;
const TEST = 1000;

const argmax = (p: Float32Array, row: number) => {
  let best = 0;
  for (let k = 1; k < 10; k++) if (p[row * 10 + k]! > p[row * 10 + best]!) best = k;
  return best;
};
const accuracy = (p: Float32Array, labels: Uint8Array) => labels.reduce((n, label, i) => n + (argmax(p, i) === label ? 1 : 0), 0) / labels.length;
const classes = (p: Float32Array, rows: number) => new Set(Array.from({ length: rows }, (_, i) => argmax(p, i))).size;
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

async function main(): Promise<void> {
  if ((await selectBackend('wasm')) !== 'wasm') throw new Error('wasm backend unavailable');
  const train = loadMnist('train', { limit: steps * BATCH });
  const test = loadMnist('test', { limit: TEST });
  const net = buildModel(model.spec, (options.seed as number | undefined) ?? 1);
  const folder = mkdtempSync(path.join(tmpdir(), 'bn-twin-'));
  writeFileSync(path.join(folder, 'spec.json'), JSON.stringify({ spec: model.spec, mode, batchSize: BATCH }));
  writeFileSync(path.join(folder, 'weights.bin'), Buffer.concat(net.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer))));
  const all = gatherBatchArrays(train, Array.from({ length: train.count }, (_, i) => i));
  writeFileSync(path.join(folder, 'batches.bin'), Buffer.from(all.pixels.buffer));
  writeFileSync(path.join(folder, 'labels.bin'), train.labels);
  const testPixels = scaledPixels(test, 0, test.count);
  writeFileSync(path.join(folder, 'test.bin'), Buffer.from(testPixels.buffer));

  const stepper = localStepper(net, { optimizer: 'adam', learningRate: 0.001, momentum: 0, weightDecay: 0, lrSchedule: 'constant', totalSteps: 0 });
  for (let step = 0; step < steps; step++) {
    const rows = Array.from({ length: BATCH }, (_, i) => step * BATCH + i);
    const batch = gatherBatchArrays(train, rows);
    if (mode === 'train') await stepper.step(batch);
    else tf.tidy(() => void net.apply(tf.tensor4d(batch.pixels, [BATCH, 28, 28, 1]), { training: true }));
  }
  await stepper.dispose();
  const ours = (await stepper.predict(testPixels, TEST, false))[0]!;
  // Read before the pass below, whose training-mode calls move the moving statistics on.
  const norms = net.layers.filter((layer) => layer.getClassName() === 'BatchNormalization');
  const moving = norms.map((layer) => layer.getWeights().map((w) => w.dataSync() as Float32Array));
  // Each test batch of 64 normalised by its own statistics, as in training: what the model scores once the moving statistics catch up.
  const ownStatistics = new Float32Array(TEST * 10);
  for (let start = 0; start < TEST; start += BATCH) {
    const rows = Math.min(BATCH, TEST - start);
    const out = tf.tidy(() => net.apply(tf.tensor4d(testPixels.subarray(start * 784, (start + rows) * 784), [rows, 28, 28, 1]), { training: true }) as tf.Tensor);
    ownStatistics.set(out.dataSync() as Float32Array, start * 10);
    out.dispose();
  }

  const replay = spawnSync(PYTHON, [path.join(import.meta.dirname, 'torch_replay.py'), folder], { encoding: 'utf8' });
  if (replay.status !== 0) throw new Error(`torch_replay.py failed: ${replay.stderr}`);
  const torchStats = JSON.parse(replay.stdout.trim().split('\n').pop()!) as { mean: number[]; variance: number[] }[];
  const theirs = new Float32Array(readFileSync(path.join(folder, 'torch_probabilities.bin')).buffer.slice(0));

  console.log(`${model.name}, ${mode}, ${steps} steps of ${BATCH} images, seed ${(options.seed as number | undefined) ?? 1}`);
  norms.forEach((layer, i) => {
    const [, , mean, variance] = moving[i]!;
    const momentum = (layer.getConfig() as { momentum?: number }).momentum ?? BATCH_NORM_DEFAULTS.momentum;
    console.log(
      `  ${layer.name}: momentum ${momentum} (the initial statistics keep ${(momentum ** steps * 100).toFixed(1)}% weight); ` +
        `moving mean max |diff| ${maxAbs(mean!, torchStats[i]!.mean).toExponential(2)}, ` +
        `moving variance max |diff| ${maxAbs(variance!, torchStats[i]!.variance).toExponential(2)} ` +
        `(PyTorch's is unbiased: x n/(n-1) per batch), its mean ${(variance!.reduce((a, b) => a + b, 0) / variance!.length).toFixed(4)}`,
    );
  });
  const agree = Array.from({ length: TEST }, (_, i) => argmax(ours, i) === argmax(theirs, i)).filter(Boolean).length;
  console.log(`  test (first ${TEST}): digitlab accuracy ${accuracy(ours, test.labels).toFixed(3)} (${classes(ours, TEST)} classes predicted), ` +
    `PyTorch ${accuracy(theirs, test.labels).toFixed(3)} (${classes(theirs, TEST)} classes); same prediction for ${agree}; max |diff| of probabilities ${maxAbs(ours, theirs).toExponential(2)}`);
  console.log(`  digitlab with each test batch's own statistics: accuracy ${accuracy(ownStatistics, test.labels).toFixed(3)} (${classes(ownStatistics, TEST)} classes)`);
}

await main();

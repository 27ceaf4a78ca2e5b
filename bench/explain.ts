/**
 * Times issue 12's "why" computations on one stored run, as the pages and the CLI run them:
 * integrated gradients and occlusion per test image, nearest training images per query (the
 * first, which embeds the training images in a worker, and those after it), the calibration
 * report and the temperature fit, and the whole default robustness set in its worker. Prints the
 * figures a run's note needs too: ECE, accuracy at rotations of 15/30/45° and shifts of 2/4 px.
 * It writes what the pages would (embeddings, temperature, curves) into --db: give it a copy.
 */
import { openDb } from '../db/client.ts';
import { fitRunTemperature, runCalibration } from '../src/analysis/calibration/run-calibration.ts';
import { attribute } from '../src/analysis/explain/explain.ts';
import { nearestTrainImages } from '../src/analysis/explain/train-neighbours.ts';
import { ModelJobs } from '../src/analysis/model-jobs/model-jobs.ts';
import { selectBackend } from '../src/training/backend.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { openRunModel } from '../src/models/run-model.ts';
import { listRuns } from '../src/store/store.ts';
import { machineLine, measured, percent } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/explain.ts',
  summary: 'time per image of integrated gradients, occlusion and nearest training images, calibration and the default robustness set, on a stored run (writes into --db: use a copy)',
  options: {
    db: { type: 'string', placeholder: 'PATH', description: 'a copy of a store with a completed run (required: the bench writes into it)' },
    run: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, placeholder: 'ID', description: 'a completed run (default: the first)' },
    images: { type: 'integer', min: 2, max: 1000, placeholder: 'N', description: 'test images timed per method (default 20)' },
    'skip-robustness': { type: 'boolean', description: 'leave out the robustness set (the longest part)' },
  },
}) as { db?: string; run?: number; images?: number; 'skip-robustness'?: boolean };

if (!options.db) {
  console.error('bench/explain.ts: --db PATH is required (a copy of a store: the bench writes embeddings, a temperature and curves into it)');
  process.exit(2);
}
const db = openDb(options.db);
const completed = listRuns(db, { statuses: ['completed'] });
const run = options.run !== undefined ? completed.find((r) => r.id === options.run) : completed.at(-1);
if (!run) {
  console.error(`bench/explain.ts: ${options.run !== undefined ? `run ${options.run} is not a completed run` : 'the store has no completed run'} in ${options.db}`);
  process.exit(2);
}
const imageCount = options.images ?? 20;

const backend = await selectBackend('auto');
console.log(machineLine());
console.log(`run ${run.id} (${run.name}), backend ${backend}, ${imageCount} test images per method`);

const model = await openRunModel(db, run);
const test = loadMnist('test');
const image = (i: number) => Float32Array.from(test.images.subarray(i * 784, i * 784 + 784), (v) => v / 255);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const row = (what: string, ms: number[], others: number | undefined, goal = '') =>
  console.log(
    `  ${what.padEnd(34)} median ${median(ms).toFixed(1).padStart(7)} ms  mean ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1).padStart(7)} ms  max ${Math.max(...ms).toFixed(1).padStart(7)} ms  others used ${percent(others)}${goal && `  (goal ${goal})`}`,
  );

/** Times `work` on each of the first `imageCount` test images after one untimed warm-up (tfjs compiles kernels on first use). */
async function perImage(work: (i: number) => Promise<unknown>): Promise<{ ms: number[]; others: number | undefined }> {
  await work(imageCount);
  const { value: ms, others } = await measured(async () => {
    const times: number[] = [];
    for (let i = 0; i < imageCount; i++) {
      const start = performance.now();
      await work(i);
      times.push(performance.now() - start);
    }
    return times;
  });
  return { ms, others };
}

console.log('per image');
const label = (i: number) => test.labels[i]!;
const ig = await perImage((i) => attribute(model, image(i), label(i), 'ig'));
row('integrated gradients (32 steps)', ig.ms, ig.others, '< 300 ms');
const occlusion = await perImage((i) => attribute(model, image(i), label(i), 'occlusion'));
row('occlusion (5 px patch, stride 2)', occlusion.ms, occlusion.others);

const jobs = new ModelJobs(db);
const first = await measured(async () => {
  const start = performance.now();
  await nearestTrainImages(jobs, run, model, image(0), 8);
  return performance.now() - start;
});
const stored = jobs.trainEmbeddingsStatus(run);
const embedded = stored.state === 'ready' ? stored.value.vectors.length / stored.value.dimensions : '?';
console.log(`  ${'nearest training images, first'.padEnd(34)} ${(first.value / 1000).toFixed(1).padStart(7)} s   (embeds or loads ${embedded.toLocaleString('en')} training images; others used ${percent(first.others)})`);
const neighbours = await perImage((i) => nearestTrainImages(jobs, run, model, image(i), 8));
row('nearest training images, k=8', neighbours.ms, neighbours.others, '< 50 ms');

console.log('per run');
const calibration = await measured(() => {
  const start = performance.now();
  const report = runCalibration(db, run, test)!;
  return { report, ms: performance.now() - start };
});
const fit = await measured(async () => {
  const start = performance.now();
  const fitted = await fitRunTemperature(db, run, model);
  return { fitted, ms: performance.now() - start };
});
const { raw } = calibration.value.report;
console.log(`  ${'calibration report'.padEnd(34)} ${calibration.value.ms.toFixed(0).padStart(7)} ms  others used ${percent(calibration.others)}`);
console.log(`  ${'temperature fit'.padEnd(34)} ${fit.value.ms.toFixed(0).padStart(7)} ms  on ${fit.value.fitted.validationCount} validation images, others used ${percent(fit.others)}`);
console.log(`  ECE ${(raw.ece * 100).toFixed(2)}%, MCE ${(raw.mce * 100).toFixed(2)}%, accuracy ${(raw.accuracy * 100).toFixed(2)}% on ${raw.count} test images; temperature ${fit.value.fitted.temperature.toFixed(3)}`);

if (!options['skip-robustness']) {
  const robustness = await measured(() => jobs.robustness(run));
  const { curves, count } = robustness.value;
  const points = curves.reduce((n, c) => n + c.points.filter((p) => p.strength !== 0).length, 1);
  console.log(`  ${'robustness, default set'.padEnd(34)} ${robustness.value.seconds.toFixed(1).padStart(7)} s   ${points} passes over ${count} test images in a worker, others used ${percent(robustness.others)}  (goal < 120 s)`);
  const accuracyAt = (name: string, strength: number) => curves.find((c) => c.name === name)?.points.find((p) => p.strength === strength)?.accuracy;
  const at = (name: string, unit: string, strengths: number[]) =>
    strengths.map((s) => `${s}${unit} ${((accuracyAt(name, s) ?? NaN) * 100).toFixed(2)}%`).join(', ');
  console.log(`  accuracy untouched ${((accuracyAt('shift', 0) ?? NaN) * 100).toFixed(2)}%; rotated ${at('rotate', '°', [15, 30, 45])}; shifted ${at('shift', ' px', [2, 4])}`);
}

model.dispose();
db.$client.close();

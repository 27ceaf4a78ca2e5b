import os from 'node:os';
import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '../training/backend.ts';
import { PRESET_NAMES } from '../models/model-presets.ts';
import { measurePytorchTwin } from '../models/pytorch-twin.ts';
import { measureDataParallelThroughput, measurePredictionThroughput, measureTrainingThroughput } from '../training/throughput.ts';
import { availableCores, defaultWorkers } from '../training/steppers.ts';
import { nativeVariant } from '../training/wasm-kernels/native.ts';
import { UsageError, type Command, type OptionValues, printJson } from '../core/command.ts';
import { resolveModel, type ResolvedModel } from './model-option.ts';

/** One network's figures; `bench --json` prints this object for one model, `{models: [...]}` for several. */
interface ModelBench {
  model: string;
  parameters: number;
  backend: string;
  batchSize: number;
  /** Threads sharing each batch (train's --threads); the key keeps the name scripts read. */
  workers: number;
  nativeKernels: string | null;
  /** In the configuration `train` uses by default: what gets compared. */
  samplesPerSecond: number;
  oneThreadSamplesPerSecond: number;
  predictionImagesPerSecond: number;
  /** The same architecture in PyTorch (bench/torch_model.py), measured right after, or null with the reason. */
  pytorch: { engine: string; threads: number; samplesPerSecond: number } | null;
  pytorchMissing?: string;
  /** samplesPerSecond / pytorch.samplesPerSecond. */
  ratioToPytorch: number | null;
}

/** `--model`, `--models A,B` or `--all-presets`: the networks to measure, in order. */
function modelsToMeasure(options: OptionValues): ResolvedModel[] {
  const given = ['model', 'models', 'all-presets'].filter((flag) => options[flag] !== undefined && options[flag] !== false);
  if (given.length > 1) throw new UsageError(`give one of --model, --models and --all-presets; got ${given.map((f) => `--${f}`).join(' and ')}`);
  if (options['all-presets']) return PRESET_NAMES.map((name) => resolveModel(name));
  if (options.models !== undefined) {
    const names = (options.models as string).split(',').map((name) => name.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError(`--models takes presets or .json spec files separated by commas, e.g. reference,mlp`);
    return names.map((name) => resolveModel(name));
  }
  return [resolveModel(options.model as string | undefined)];
}

const twoDecimals = (value: number) => Math.round(value * 100) / 100;

/** A right-aligned text table: header, rule, rows. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n';
}

export const benchCommand: Command = {
  name: 'bench',
  summary:
    'measure training and prediction throughput of a network (default the reference CNN), beside its PyTorch twin ' +
    '(bench/torch_model.py on /usr/bin/python3, when PyTorch is installed)',
  positionals: [],
  options: {
    'batch-size': { type: 'integer', min: 1, max: 4096, description: 'images per training step (default 64)' },
    batches: { type: 'integer', min: 1, max: 10000, description: 'timed training steps, for digitlab and PyTorch alike (default 100)' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'engine to measure (default auto)' },
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'the network, as train --model takes it (default reference)' },
    models: { type: 'string', placeholder: 'A,B,...', description: 'several networks (presets or .json files), one after the other, as a table' },
    'all-presets': { type: 'boolean', description: `every preset (${PRESET_NAMES.join(', ')}), as a table` },
  },
  async run({ options }, context) {
    const models = modelsToMeasure(options);
    const backend = await selectBackend((options.backend as BackendChoice | undefined) ?? 'auto');
    const batchSize = (options['batch-size'] as number | undefined) ?? 64;
    const batches = (options.batches as number | undefined) ?? 100;
    const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
    context.stderr.write(`load average ${load()} on ${availableCores()} cores (other processes skew these figures)\n`);
    const results: ModelBench[] = [];
    for (const model of models) {
      context.stderr.write(`measuring ${model.name} on ${backend}, batch ${batchSize}, then its PyTorch twin...\n`);
      const spec = model.spec;
      // What `train` would pick for this network on the reference experiment's 48,000 training images.
      const workers = defaultWorkers({ backend, cores: availableCores(), trainCount: 48_000, batchSize, freshModel: true, spec });
      const oneThread = await measureTrainingThroughput({ spec, batchSize, batches });
      // train steps in worker threads on wasm and cpu (one worker included), on the main thread on tfjs-node.
      const training = backend === 'node' ? oneThread : await measureDataParallelThroughput({ spec, batchSize, batches, replicas: workers, backend });
      const prediction = await measurePredictionThroughput({ spec, images: 10_000 });
      const twin = await measurePytorchTwin(spec, { batchSize, batches });
      const samplesPerSecond = Math.round(training.samplesPerSecond);
      const pytorch = 'missing' in twin ? null : { engine: twin.engine, threads: twin.threads, samplesPerSecond: Math.round(twin.samplesPerSecond) };
      results.push({
        model: model.name,
        parameters: model.summary.totalParameters,
        backend,
        batchSize,
        workers,
        nativeKernels: backend === 'wasm' ? nativeVariant : null,
        samplesPerSecond,
        oneThreadSamplesPerSecond: Math.round(oneThread.samplesPerSecond),
        predictionImagesPerSecond: Math.round(prediction.imagesPerSecond),
        pytorch,
        ...('missing' in twin ? { pytorchMissing: twin.missing } : {}),
        ratioToPytorch: 'missing' in twin ? null : twoDecimals(training.samplesPerSecond / twin.samplesPerSecond),
      });
    }
    context.stderr.write(`load average ${load()} after measuring\n`);
    // --model (or none) prints one model's object and line; --models and --all-presets print {models} and a table.
    const several = options.models !== undefined || options['all-presets'] === true;
    if (options.json) printJson(context, several ? { models: results } : results[0]!);
    else context.stdout.write(several ? benchTable(results) : oneLine(results[0]!));
    return 0;
  },
};

function oneLine(result: ModelBench): string {
  const pytorch = result.pytorch
    ? `PyTorch twin ${result.pytorch.samplesPerSecond} samples/s (${result.pytorch.threads} threads): ratio ${result.ratioToPytorch!.toFixed(2)}`
    : `no PyTorch figure: ${result.pytorchMissing}`;
  return (
    `${result.model} on ${result.backend}: training ${result.samplesPerSecond} samples/s (batch ${result.batchSize}, ${result.workers} thread(s), as train does by default), ` +
    `${result.oneThreadSamplesPerSecond} on one thread; prediction ${result.predictionImagesPerSecond} images/s\n${pytorch}\n`
  );
}

function benchTable(results: ModelBench[]): string {
  const first = results[0]!;
  const header = ['preset', 'params', `digitlab samples/s (${first.workers} thread(s))`, 'PyTorch samples/s', 'ratio'];
  const rows = results.map((r) => [
    r.model,
    r.parameters.toLocaleString('en-US'),
    String(r.samplesPerSecond),
    r.pytorch ? String(r.pytorch.samplesPerSecond) : '-',
    r.ratioToPytorch === null ? '-' : r.ratioToPytorch.toFixed(2),
  ]);
  const missing = results.find((r) => r.pytorchMissing)?.pytorchMissing;
  return (
    `${first.backend}, batch ${first.batchSize}, digitlab as train runs by default; PyTorch twins on ${first.pytorch?.threads ?? 2} threads, back to back\n` +
    table([header, ...rows]) +
    (missing ? `no PyTorch figure: ${missing}\n` : '')
  );
}

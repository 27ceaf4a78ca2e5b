/**
 * digitlab's training throughput beside PyTorch's on the same machine, measured back to back, for
 * any network. For the reference CNN, PyTorch is the team's reference script
 * ../shared/bench/torch_cnn.py beside the repository (TORCH_CNN_SCRIPT points elsewhere, e.g. from a
 * git worktree), the figure issue 16 is judged by; for any other network it is the same architecture
 * built from the same spec by bench/torch_model.py.
 * Run from the repository root: npx tsx bench/training-vs-pytorch.ts [--rounds 5] [--model NAME|FILE.json]
 *
 * Other processes skew these figures, PyTorch's most (its two OpenMP threads wait on each other
 * when one core is taken), so every measurement reports the share of the machine that other
 * processes used meanwhile, and the summary repeats the medians over the quiet rounds alone.
 */
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/training/backend.ts';
import { resolveModel } from '../src/cli/model-option.ts';
import { measurePytorchScript, measurePytorchTwin } from '../src/models/pytorch-twin.ts';
import { availableCores, defaultWorkers } from '../src/training/steppers.ts';
import { measureDataParallelThroughput, measureTrainingThroughput } from '../src/training/throughput.ts';
import { measured, percent } from './lib/machine-load.ts';
import { benchOptions, checkedUsage, type BenchScript } from './lib/script-options.ts';

const SCRIPT: BenchScript = {
  file: 'bench/training-vs-pytorch.ts',
  summary:
    "digitlab's training samples/s (one thread, and the default workers) beside PyTorch's, back to back, on /usr/bin/python3:\n" +
    'for the reference, ../shared/bench/torch_cnn.py (TORCH_CNN_SCRIPT names another path); for other networks, their\n' +
    'twin from bench/torch_model.py (the same architecture, Adam, 2 threads, 150 steps).',
  options: {
    rounds: { type: 'integer', min: 1, max: 100, description: 'rounds to measure (default 5)' },
    model: { type: 'string', placeholder: 'NAME|FILE.json', description: 'the network, as train --model takes it (default reference)' },
  },
};
const options = benchOptions(SCRIPT);

const model = checkedUsage(SCRIPT, () => resolveModel(options.model as string | undefined));
const referenceScript = process.env.TORCH_CNN_SCRIPT ?? path.resolve(import.meta.dirname, '../../shared/bench/torch_cnn.py');
const isReference = model.name === 'reference';
const measureTorch = () => (isReference ? measurePytorchScript(referenceScript) : measurePytorchTwin(model.spec));
const torchName = isReference ? path.basename(referenceScript) : 'its PyTorch twin';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Rounds where other processes used more than this share of the machine are not quiet. */
const QUIET = 0.1;
interface Round {
  digitlab: number;
  parallel?: number;
  torch: number | undefined;
  /** The largest share of the machine other processes used during any of the round's measurements. */
  others: number | undefined;
}

const ratio = (ours: number | undefined, torch: number | undefined) =>
  ours === undefined || torch === undefined ? undefined : ours / torch;

function describeRound(index: number, round: Round, torchMissing: string | undefined): string {
  const parts = [`digitlab ${round.digitlab.toFixed(0)}`];
  if (round.parallel !== undefined) parts.push(`digitlab default ${round.parallel.toFixed(0)}`);
  parts.push(round.torch === undefined ? `PyTorch not measured (${torchMissing})` : `PyTorch ${round.torch.toFixed(0)}`);
  const ratios = [ratio(round.digitlab, round.torch), ratio(round.parallel, round.torch)]
    .filter((r): r is number => r !== undefined)
    .map((r) => r.toFixed(2));
  return (
    `round ${index}: ${parts.join(', ')} samples/s${ratios.length ? `; ratio ${ratios.join(' / ')}` : ''}` +
    `; other processes used up to ${percent(round.others)} of the machine`
  );
}

function summarise(label: string, rounds: Round[]): void {
  const show = (what: string, values: (number | undefined)[], digits: number) => {
    const known = values.filter((v): v is number => v !== undefined);
    if (known.length > 0) console.log(`${label} median ${what}: ${median(known).toFixed(digits)}`);
  };
  console.log(`${label}: ${rounds.length} round(s)`);
  show('digitlab samples/s, one thread', rounds.map((r) => r.digitlab), 0);
  show('digitlab samples/s, default workers', rounds.map((r) => r.parallel), 0);
  show('PyTorch samples/s', rounds.map((r) => r.torch), 0);
  show('ratio digitlab/PyTorch, one thread', rounds.map((r) => ratio(r.digitlab, r.torch)), 2);
  show('ratio digitlab/PyTorch, default workers', rounds.map((r) => ratio(r.parallel, r.torch)), 2);
}

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  const rounds = (options.rounds as number | undefined) ?? 5;
  // The configuration `train` uses by default for the reference experiment.
  const workers = defaultWorkers({ backend, cores: availableCores(), trainCount: 48_000, batchSize: 64, freshModel: true, spec: model.spec });
  const parallel = workers > 1;
  console.log(
    `cpu ${os.cpus()[0]?.model ?? '?'}, ${availableCores()} cores; model ${model.name}; digitlab backend: ${backend}; batch 64; ${rounds} rounds, each: digitlab on one thread` +
      `${parallel ? `, digitlab data-parallel on ${workers} worker threads (the default)` : ''}, then ${torchName} (2 threads)`,
  );
  const results: Round[] = [];
  let torchMissing: string | undefined;
  for (let index = 1; index <= rounds; index++) {
    const options = { spec: model.spec, batchSize: 64, batches: 100, warmup: 10 };
    const single = await measured(() => measureTrainingThroughput(options));
    const replicated = parallel ? await measured(() => measureDataParallelThroughput({ ...options, replicas: workers })) : undefined;
    const torch = await measured(measureTorch);
    if ('missing' in torch.value) torchMissing = torch.value.missing;
    const shares = [single.others, replicated?.others, torch.others].filter((v): v is number => v !== undefined);
    const round: Round = {
      digitlab: single.value.samplesPerSecond,
      parallel: replicated?.value.samplesPerSecond,
      torch: 'missing' in torch.value ? undefined : torch.value.samplesPerSecond,
      others: shares.length > 0 ? Math.max(...shares) : undefined,
    };
    results.push(round);
    console.log(describeRound(index, round, torchMissing));
  }
  summarise('all rounds', results);
  const quiet = results.filter((r) => r.others !== undefined && r.others <= QUIET);
  if (quiet.length > 0 && quiet.length < results.length) summarise(`quiet rounds (others <= ${QUIET * 100}%)`, quiet);
  if (quiet.length === 0) console.log(`no quiet round: other processes used more than ${QUIET * 100}% of the machine in every round`);
  if (torchMissing !== undefined) console.log(`no PyTorch figure: ${torchMissing}`);
}

await main();

/**
 * digitlab's training throughput beside PyTorch's on the same machine, measured back to back.
 * Run from the repository root: npx tsx bench/training-vs-pytorch.ts [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/experiments/backend.ts';
import { measureDataParallelThroughput, measureTrainingThroughput } from '../src/experiments/throughput.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const torchScript = path.resolve(repoRoot, '../shared/bench/torch_cnn.py');
const PYTHON = '/usr/bin/python3';
const INSTALL_HINT = 'apt-get update && apt-get install -y python3-torch';

function roundsFromArgs(): number {
  const at = process.argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(process.argv[at + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
  return rounds;
}

/** PyTorch's samples/s, or why it could not be measured. */
function measureTorch(): { samplesPerSecond: number } | { missing: string } {
  if (!existsSync(torchScript)) return { missing: `${torchScript} not found` };
  const run = spawnSync(PYTHON, [torchScript], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    const reason = run.error?.message ?? run.stderr.trim().split('\n').pop() ?? `exit ${run.status}`;
    return { missing: `${PYTHON} ${path.basename(torchScript)} failed (${reason}); install PyTorch with: ${INSTALL_HINT}` };
  }
  const last = run.stdout.trim().split('\n').pop() ?? '';
  return { samplesPerSecond: (JSON.parse(last) as { samples_per_second: number }).samples_per_second };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** PyTorch's two OpenMP threads slow down several-fold when another process holds a core. */
function warnIfBusy(): void {
  const load = os.loadavg()[0]!;
  if (load > 0.5) {
    console.log(`warning: 1-minute load average is ${load.toFixed(2)} before starting; other processes skew both figures, PyTorch's most`);
  }
}

interface Round {
  digitlab: number;
  parallel?: number;
  torch: number | undefined;
}

const ratio = (ours: number | undefined, torch: number | undefined) =>
  ours === undefined || torch === undefined ? undefined : ours / torch;

function describeRound(index: number, round: Round, torchMissing: string | undefined): string {
  const parts = [`digitlab ${round.digitlab.toFixed(0)}`];
  if (round.parallel !== undefined) parts.push(`digitlab 2-replica ${round.parallel.toFixed(0)}`);
  parts.push(round.torch === undefined ? `PyTorch not measured (${torchMissing})` : `PyTorch ${round.torch.toFixed(0)}`);
  const ratios = [ratio(round.digitlab, round.torch), ratio(round.parallel, round.torch)]
    .filter((r): r is number => r !== undefined)
    .map((r) => r.toFixed(2));
  return `round ${index}: ${parts.join(', ')} samples/s${ratios.length ? `; ratio ${ratios.join(' / ')}` : ''}`;
}

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  const rounds = roundsFromArgs();
  const parallel = backend === 'wasm';
  console.log(
    `digitlab backend: ${backend}; batch 64; ${rounds} rounds, each: digitlab on one thread` +
      `${parallel ? ', digitlab data-parallel on 2 worker threads' : ''}, then PyTorch (2 threads)`,
  );
  warnIfBusy();
  const results: Round[] = [];
  let torchMissing: string | undefined;
  for (let index = 1; index <= rounds; index++) {
    const options = { batchSize: 64, batches: 100, warmup: 10 };
    const digitlab = (await measureTrainingThroughput(options)).samplesPerSecond;
    const replicated = parallel ? (await measureDataParallelThroughput({ ...options, replicas: 2 })).samplesPerSecond : undefined;
    const torch = measureTorch();
    if ('missing' in torch) torchMissing = torch.missing;
    const round: Round = { digitlab, parallel: replicated, torch: 'missing' in torch ? undefined : torch.samplesPerSecond };
    results.push(round);
    console.log(describeRound(index, round, torchMissing));
  }
  const summary = (label: string, values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    if (known.length > 0) console.log(`${label}: ${median(known).toFixed(label.includes('ratio') ? 2 : 0)}`);
  };
  summary(`median digitlab samples/s (${backend}, one thread)`, results.map((r) => r.digitlab));
  summary('median digitlab samples/s (wasm, 2 replicas)', results.map((r) => r.parallel));
  summary('median PyTorch samples/s', results.map((r) => r.torch));
  summary('median ratio digitlab/PyTorch (one thread)', results.map((r) => ratio(r.digitlab, r.torch)));
  summary('median ratio digitlab/PyTorch (2 replicas)', results.map((r) => ratio(r.parallel, r.torch)));
  if (torchMissing !== undefined) console.log(`no PyTorch figure: ${torchMissing}`);
}

await main();

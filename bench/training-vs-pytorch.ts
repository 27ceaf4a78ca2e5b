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
import { measureTrainingThroughput } from '../src/experiments/throughput.ts';

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

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  const rounds = roundsFromArgs();
  console.log(`digitlab backend: ${backend}; batch 64; ${rounds} rounds, each digitlab then PyTorch`);
  warnIfBusy();
  const ratios: number[] = [];
  const ours: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const digitlab = (await measureTrainingThroughput({ batchSize: 64, batches: 100, warmup: 10 })).samplesPerSecond;
    ours.push(digitlab);
    const torch = measureTorch();
    if ('missing' in torch) {
      console.log(`round ${round}: digitlab ${digitlab.toFixed(0)} samples/s; PyTorch not measured: ${torch.missing}`);
      continue;
    }
    ratios.push(digitlab / torch.samplesPerSecond);
    console.log(
      `round ${round}: digitlab ${digitlab.toFixed(0)} samples/s, PyTorch ${torch.samplesPerSecond.toFixed(0)} samples/s, ratio ${(digitlab / torch.samplesPerSecond).toFixed(2)}`,
    );
  }
  console.log(`median digitlab: ${median(ours).toFixed(0)} samples/s (${backend})`);
  if (ratios.length > 0) console.log(`median ratio digitlab/PyTorch: ${median(ratios).toFixed(2)}`);
  else console.log(`no PyTorch figure: install it with ${INSTALL_HINT}, then rerun`);
}

await main();

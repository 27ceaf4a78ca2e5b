/**
 * What recording a run in SQLite costs, as a share of an epoch: times the store writes a real
 * epoch makes (one progress update per second, one epoch row with its confusion matrix) on a file
 * database in WAL mode, against the measured length of a reference epoch.
 * Run: npx tsx bench/logging-overhead.ts [--epoch-seconds S]   (BENCH_DIR=db to measure on the store's disk)
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../db/client.ts';
import { REFERENCE_HYPERPARAMETERS } from '../src/training/hyperparameters.ts';
import { createRun, logEpoch, recordProgress } from '../src/store/store.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/logging-overhead.ts',
  summary: "what recording a run in SQLite costs, as a share of an epoch (BENCH_DIR=DIR puts the database on DIR's disk)",
  options: {
    'epoch-seconds': { type: 'number', min: 0.1, max: 100_000, description: 'length of the epoch to compare with (default 32)' },
  },
});
// A reference epoch (48,000 images) at ~1,500 samples/s; pass the figure you measured.
const epochSeconds = (options['epoch-seconds'] as number | undefined) ?? 32;

const db = openDb(path.join(mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'digitlab-bench-')), 'bench.sqlite'));
const run = createRun(db, { name: 'bench', params: { ...REFERENCE_HYPERPARAMETERS, seed: 1 }, status: 'running' });
const progress = { epoch: 1, epochs: 5, batch: 10, batches: 750, loss: 0.1, accuracy: 0.9, etaSeconds: 100 };
const confusion = Array.from({ length: 10 }, () => Array.from({ length: 10 }, () => 120));

const writes = 2000;
let start = performance.now();
for (let i = 0; i < writes; i++) recordProgress(db, run.id, { ...progress, batch: i });
const progressMs = (performance.now() - start) / writes;

start = performance.now();
for (let epoch = 1; epoch <= 200; epoch++) {
  logEpoch(db, run.id, { epoch, loss: 0.1, accuracy: 0.9, valLoss: 0.1, valAccuracy: 0.9, seconds: 30, valConfusion: confusion });
}
const epochMs = (performance.now() - start) / 200;

// One progress write per second of the epoch (the write interval), plus the epoch row.
const perEpochMs = Math.ceil(epochSeconds) * progressMs + epochMs;
console.log(`progress write ${progressMs.toFixed(3)} ms, epoch row + confusion ${epochMs.toFixed(3)} ms`);
console.log(
  `per ${epochSeconds} s epoch: ${perEpochMs.toFixed(1)} ms of SQLite writes = ${((perEpochMs / (epochSeconds * 1000)) * 100).toFixed(3)}% of the epoch`,
);

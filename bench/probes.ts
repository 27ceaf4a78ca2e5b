/**
 * Reruns the kinds of probes issue 15 was filed from, against a checkout of digitlab, and prints
 * what each answered; then measures the store's size per run and what float16 embeddings would
 * save. Run it against main and against a branch (`--root`) for before and after figures.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineLine } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/probes.ts',
  summary: 'bad CLI invocations and the store size per run (with float16 embeddings), for a checkout of digitlab',
  options: {
    root: { type: 'string', placeholder: 'DIR', description: 'the checkout whose bin/digitlab.js is probed (default: this one)' },
    db: { type: 'string', placeholder: 'PATH', description: 'measure the size of the runs in this store instead of training a small one' },
    'skip-size': { type: 'boolean', description: 'only the CLI probes' },
    timeout: { type: 'integer', min: 5, max: 3600, placeholder: 'S', description: 'seconds before a probe counts as hung and is killed (default 120: a loaded machine starts the CLI slowly)' },
  },
}) as { root?: string; db?: string; 'skip-size'?: boolean; timeout?: number };

const root = path.resolve(options.root ?? '.');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'digitlab-probes-'));
writeFileSync(path.join(scratch, 'notdb.txt'), 'not a database '.repeat(100));

/** argv, and what a person should get: exit 2 and a message (the "errors a person can act on"). */
const BAD_INVOCATIONS: [string, string[], NodeJS.ProcessEnv?][] = [
  ["--db ''", ['runs', '--db', '']],
  ['empty DIGITLAB_DB (must count as unset: exit 0)', ['runs'], { DIGITLAB_DB: '' }],
  ['--db under a file', ['runs', '--db', path.join(scratch, 'notdb.txt', 'x.sqlite')]],
  ['--db a text file', ['runs', '--db', path.join(scratch, 'notdb.txt')]],
  ['--db under /proc', ['runs', '--db', `/proc/digitlab-probe/db.sqlite`]],
  ['--epochs -3', ['train', '--epochs', '-3']],
  ['--epochs 0x2', ['train', '--epochs', '0x2']],
  ['--epochs 0b11', ['train', '--epochs', '0b11']],
  ['--validation-split 1e-400', ['train', '--validation-split', '1e-400']],
  ['--learning-rate NaN', ['train', '--learning-rate', 'NaN']],
  ['--learning-rate Infinity', ['train', '--learning-rate', 'Infinity']],
  ['--epochs 1e999', ['train', '--epochs', '1e999']],
  ['--backend node (not installed)', ['train', '--backend', 'node', '--train-limit', '100']],
  ['--workers 2 --backend cpu', ['train', '--workers', '2', '--backend', 'cpu', '--train-limit', '100']],
  ['--workers 2 --batch-size 1', ['train', '--workers', '2', '--batch-size', '1', '--train-limit', '100']],
];

const PROBE_TIMEOUT_MS = (options.timeout ?? 120) * 1000;

function probe(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | string; stderr: string; created: boolean }> {
  const db = argv.includes('--db') || 'DIGITLAB_DB' in env ? [] : ['--db', path.join(mkdtempSync(path.join(scratch, 'store-')), 'runs.sqlite')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/digitlab.js'), ...argv, ...db], {
      cwd: mkdtempSync(path.join(scratch, 'cwd-')),
      env: { ...process.env, DIGITLAB_DB: undefined, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `killed after ${PROBE_TIMEOUT_MS / 1000} s (${signal})`, stderr, created: /created a new run store/.test(stderr) });
    });
  });
}

async function cliProbes(): Promise<void> {
  console.log(`\nCLI bad inputs against ${root} (each should exit 2 with a message; the empty DIGITLAB_DB should exit 0)`);
  let good = 0;
  for (const [what, argv, env] of BAD_INVOCATIONS) {
    const { code, stderr } = await probe(argv, env);
    const expected = env?.DIGITLAB_DB === '' ? 0 : 2;
    if (code === expected) good++;
    const message = stderr.trim().split('\n')[0]?.slice(0, 110) ?? '';
    console.log(`  ${code === expected ? 'ok ' : 'BAD'} ${what.padEnd(34)} exit ${String(code).padEnd(4)} ${message}`);
  }
  console.log(`  ${good} of ${BAD_INVOCATIONS.length} answered as they should`);
}

/** Trains a small run (1 epoch on 2,000 images) that stores every per-run table at full size: all 10,000 test images. */
async function smallRunStore(): Promise<string> {
  const file = path.join(scratch, 'size.sqlite');
  const child = spawn(process.execPath, [path.join(root, 'bin/digitlab.js'), 'train', '--epochs', '1', '--train-limit', '2000', '--seed', '1', '--db', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`training the size probe's run exited ${code}`);
  return file;
}

/** float32 to IEEE half precision, round to nearest even; enough for a size and error estimate. */
function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]!;
    const x = u32[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = ((x >>> 23) & 0xff) - 127 + 15;
    const mantissa = x & 0x7fffff;
    if (exponent <= 0) out[i] = sign; // below half's normal range: zero is close enough here
    else if (exponent >= 31) out[i] = sign | 0x7c00;
    else {
      let half = sign | (exponent << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
      out[i] = half;
    }
  }
  return out;
}

function fromFloat16(half: number): number {
  const exponent = (half >>> 10) & 0x1f;
  const value = exponent === 0 ? 0 : 2 ** (exponent - 15) * (1 + (half & 0x3ff) / 1024);
  return half & 0x8000 ? -value : value;
}

function storeSize(file: string): void {
  const db = new Database(file, { readonly: true });
  const runs = db.prepare("select count(*) from runs where status = 'completed'").pluck().get() as number;
  const tables = db
    .prepare("select name, sum(pgsize) as bytes from dbstat where name not like 'sqlite_%' group by name order by bytes desc")
    .all() as { name: string; bytes: number }[];
  const total = tables.reduce((sum, t) => sum + t.bytes, 0);
  const MiB = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;
  console.log(`\nstore size: ${file}, ${runs} completed run(s), ${MiB(total)} in pages`);
  for (const t of tables.filter((t) => t.bytes > 64 * 1024)) console.log(`  ${t.name.padEnd(34)} ${MiB(t.bytes)}  (${((100 * t.bytes) / total).toFixed(0)}%)`);
  console.log(`  per completed run: ${MiB(total / Math.max(1, runs))}; 1,000 runs: ${((1000 * total) / Math.max(1, runs) / 1073741824).toFixed(2)} GiB`);

  const row = db.prepare('select count, dimensions, vectors from test_embeddings limit 1').get() as
    | { count: number; dimensions: number; vectors: Buffer }
    | undefined;
  if (!row) return;
  const vectors = new Float32Array(row.vectors.buffer.slice(row.vectors.byteOffset, row.vectors.byteOffset + row.vectors.byteLength));
  const half = toFloat16(vectors);
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < vectors.length; i++) {
    worst = Math.max(worst, Math.abs(fromFloat16(half[i]!) - vectors[i]!));
    largest = Math.max(largest, Math.abs(vectors[i]!));
  }
  console.log(
    `  embeddings: ${row.count} x ${row.dimensions} float32 = ${MiB(row.vectors.byteLength)}; as float16 ${MiB(half.byteLength)} ` +
      `(saves ${MiB(row.vectors.byteLength - half.byteLength)} a run); worst error ${worst.toExponential(2)} on values up to ${largest.toFixed(2)}`,
  );
  db.close();
}

console.log(`probes: ${machineLine()}`);
await cliProbes();
if (!options['skip-size']) storeSize(options.db ?? (await smallRunStore()));

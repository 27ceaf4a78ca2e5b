/**
 * Reruns the kinds of probes issue 15 was filed from, against a checkout of digitlab, and prints
 * what each answered and a summary table: CLI bad inputs, web fuzz, Host and CSRF, kill -9 of the
 * server and restart, page load while runs train, and the store's size per run with what float16
 * embeddings would save. Run it on two checkouts (`--root`) for before and after figures.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../db/client.ts';
import { exactNeighbours } from '../src/analysis/maps/knn.ts';
import { selectBackend } from '../src/training/backend.ts';
import { packFloat16, unpackFloat16 } from '../src/store/float16.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { openRunModel } from '../src/models/run-model.ts';
import { getRun, loadTestEmbeddings, testEmbeddingsEncoding } from '../src/store/store.ts';
import { embedImages } from '../src/training/train-embeddings.ts';
import { machineLine } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';
import { fuzzProbe, hostCsrfProbe, killProbe, loadProbe, type Row } from './lib/web-probes.ts';

const KINDS = ['cli', 'fuzz', 'host', 'kill', 'load', 'size'] as const;
type Kind = (typeof KINDS)[number];

const options = benchOptions({
  file: 'bench/probes.ts',
  summary: `issue 15's probes for a checkout of digitlab: ${KINDS.join(', ')} (all unless --kind picks some)`,
  options: {
    root: { type: 'string', placeholder: 'DIR', description: 'the checkout whose bin/digitlab.js is probed (default: this one)' },
    kind: { type: 'string', multiple: true, placeholder: 'KIND', description: `run only this kind of probe (${KINDS.join(', ')}); repeatable` },
    db: { type: 'string', placeholder: 'PATH', description: 'measure the size of the runs in this store instead of training a small one' },
    'runs-store': { type: 'string', placeholder: 'PATH', description: 'a store with finished runs 1-3 that fuzz and host attack and load shows beside two training runs, each on a copy (default: three small runs trained here)' },
    timeout: { type: 'integer', min: 5, max: 3600, placeholder: 'S', description: 'seconds before a CLI probe counts as hung and is killed (default 120: a loaded machine starts the CLI slowly)' },
  },
}) as { root?: string; kind?: Kind[]; db?: string; 'runs-store'?: string; timeout?: number };

const unknownKind = options.kind?.find((kind) => !KINDS.includes(kind));
if (unknownKind) {
  console.error(`bench/probes.ts: --kind must be one of ${KINDS.join(', ')}; got '${unknownKind}'\n(see npx tsx bench/probes.ts --help)`);
  process.exit(2);
}
const kinds = new Set<Kind>(options.kind?.length ? options.kind : KINDS);
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

const MiB = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MiB`;

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

async function cliProbes(): Promise<Row[]> {
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
  return [['cli: bad inputs answered as they should', `${good} of ${BAD_INVOCATIONS.length}`]];
}

/**
 * Trains small runs (1 epoch on 2,000 images, seeds 1..`runs`) into a new store of the checkout
 * under test; each stores every per-run table at full size, all 10,000 test images.
 */
async function smallRunStore(name: string, runs: number): Promise<string> {
  const file = path.join(scratch, `${name}.sqlite`);
  for (let seed = 1; seed <= runs; seed++) {
    const argv = ['train', '--epochs', '1', '--train-limit', '2000', '--seed', String(seed), '--db', file];
    const child = spawn(process.execPath, [path.join(root, 'bin/digitlab.js'), ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`training run ${seed} of the ${name} store exited ${code}`);
  }
  return file;
}

async function storeSize(file: string): Promise<Row[]> {
  const db = new Database(file, { readonly: true });
  const runs = db.prepare("select count(*) from runs where status = 'completed'").pluck().get() as number;
  const tables = db
    .prepare("select name, sum(pgsize) as bytes from dbstat where name not like 'sqlite_%' group by name order by bytes desc")
    .all() as { name: string; bytes: number }[];
  const total = tables.reduce((sum, t) => sum + t.bytes, 0);
  console.log(`\nstore size: ${file}, ${runs} completed run(s), ${MiB(total)} in pages`);
  const large = tables.filter((t) => t.bytes > 64 * 1024);
  for (const t of large) console.log(`  ${t.name.padEnd(34)} ${MiB(t.bytes)}  (${((100 * t.bytes) / total).toFixed(0)}%)`);
  const perRun = `${MiB(total / Math.max(1, runs))}; 1,000 runs: ${((1000 * total) / Math.max(1, runs) / 1073741824).toFixed(2)} GiB`;
  console.log(`  per completed run: ${perRun}`);
  const rows: Row[] = [['size: per completed run', perRun]];
  for (const t of large.slice(0, 4)) rows.push([`size: ${t.name} per run`, MiB(t.bytes / Math.max(1, runs))]);

  const row = db.prepare('select run_id as runId, count, dimensions, length(vectors) as bytes from test_embeddings order by run_id limit 1').get() as
    | { runId: number; count: number; dimensions: number; bytes: number }
    | undefined;
  db.close();
  return row ? [...rows, ...(await embeddingCosts(file, row))] : rows;
}

/**
 * What float16 or dropped embeddings cost, against float32 embeddings recomputed from a run's
 * stored model: how many of each test image's 15 nearest neighbours (what the UMAP maps are built
 * from) stay the same, the bytes each choice saves, and how long recomputing takes.
 */
async function embeddingCosts(file: string, stored: { runId: number; count: number; dimensions: number; bytes: number }): Promise<Row[]> {
  const db = openDb(file); // migrated like any digitlab command would: the model's tables must be current
  const run = getRun(db, stored.runId);
  const trainBytes = db.$client.prepare('select coalesce(sum(length(vectors)), 0) from train_embeddings where run_id = ?').pluck().get(run.id) as number;
  const dropped = stored.bytes + trainBytes;
  const storedVectors = loadTestEmbeddings(db, run.id)!.vectors;
  await selectBackend('auto');
  const model = await openRunModel(db, run);
  const test = loadMnist('test', { limit: stored.count });
  const start = performance.now();
  const exact = embedImages(model.layers!, Float32Array.from(test.images, (v) => v / 255), test.count)!.vectors;
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  db.$client.close();

  const half = unpackFloat16(packFloat16(exact));
  let worst = 0;
  let largest = 0;
  let storedWorst = 0;
  for (let i = 0; i < exact.length; i++) {
    worst = Math.max(worst, Math.abs(half[i]! - exact[i]!));
    largest = Math.max(largest, Math.abs(exact[i]!));
    storedWorst = Math.max(storedWorst, Math.abs(storedVectors[i]! - exact[i]!));
  }
  const float32Bytes = stored.count * stored.dimensions * 4;
  const format = testEmbeddingsEncoding(stored);
  console.log(
    `  test embeddings: ${stored.count} x ${stored.dimensions} stored as ${format} (${MiB(stored.bytes)}); float32 takes ${MiB(float32Bytes)}, float16 ${MiB(float32Bytes / 2)}; ` +
      `float16's worst error ${worst.toExponential(2)} on values up to ${largest.toFixed(2)}`,
  );
  const k = 15;
  const a = exactNeighbours(exact, stored.dimensions, k);
  const b = exactNeighbours(half, stored.dimensions, k);
  let same = 0;
  let identicalLists = 0;
  for (let i = 0; i < a.indices.length; i++) {
    const theirs = new Set(b.indices[i]);
    const shared = a.indices[i]!.filter((j) => theirs.has(j)).length;
    same += shared;
    if (shared === k) identicalLists++;
  }
  const agreement = same / (a.indices.length * k);
  console.log(`  float16 embeddings: ${(100 * agreement).toFixed(2)}% of ${k}-nearest neighbours unchanged; ${identicalLists} of ${a.indices.length} lists identical`);
  console.log(`  recomputing run ${run.id}'s ${test.count} test embeddings from its model: ${seconds.toFixed(1)} s (largest difference from the stored ones ${storedWorst.toExponential(1)})`);
  return [
    ['size: test embeddings as stored', `${format}, ${MiB(stored.bytes)} a run`],
    ['size: float16 against float32 test embeddings saves', `${MiB(float32Bytes / 2)} a run (worst error ${worst.toExponential(2)})`],
    ['size: float16 embeddings, 15-nearest neighbours unchanged', `${(100 * agreement).toFixed(2)}% (${identicalLists} of ${a.indices.length} lists identical)`],
    ["size: dropping a run's embeddings (test + train) would save", MiB(dropped)],
    ['size: recomputing dropped test embeddings from the model', `${seconds.toFixed(1)} s`],
  ];
}

console.log(`probes of ${root}: ${machineLine()}`);
const needsRuns = kinds.has('fuzz') || kinds.has('host') || kinds.has('load');
if (needsRuns && !options['runs-store']) console.log('\ntraining three small runs for the fuzz, host and load probes (pass --runs-store to use a store of your own)...');
const runsStore = needsRuns ? path.resolve(options['runs-store'] ?? (await smallRunStore('runs', 3))) : '';
const target = { root, scratch, runsStore };
const rows: Row[] = [];
const probes: [Kind, () => Promise<Row[]> | Row[]][] = [
  ['cli', cliProbes],
  ['fuzz', () => fuzzProbe(target)],
  ['host', () => hostCsrfProbe(target)],
  ['kill', () => killProbe(target)],
  ['load', () => loadProbe(target)],
  ['size', async () => storeSize(options.db ?? (await smallRunStore('size', 1)))],
];
for (const [kind, run] of probes) {
  if (!kinds.has(kind)) continue;
  console.log(`\n${kind} probes...`);
  try {
    rows.push(...(await run()));
  } catch (err) {
    rows.push([`${kind}: could not run`, (err as Error).message.split('\n')[0]!.slice(0, 160)]);
  }
}
const width = Math.max(...rows.map(([probe]) => probe.length));
console.log(`\nsummary for ${root} (${machineLine()})`);
for (const [probe, figure] of rows) console.log(`  ${probe.padEnd(width)}  ${figure}`);

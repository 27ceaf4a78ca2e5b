/**
 * What remote workers cost the server, measured against a real `digitlab serve` on a real SQLite
 * file. Run from the repository root:
 *   npx tsx bench/workers.ts [--workers 50,200] [--seconds 20] [--skip-training]
 *
 * 1. Simulated workers: N clients each claim a run and send a heartbeat with progress once a
 *    second (an epoch every 10 s), as `digitlab worker` does. Reported: request latency p50/p95,
 *    the server process's CPU, and the SQLite writes per second it took.
 * 2. Upload overhead: a completion of the reference CNN's full-size results (10,000 test
 *    predictions, probabilities and 64-wide embeddings, and its 121,930 weights) through the
 *    worker's own HttpRecorder, in checksummed chunks.
 * 3. Queue to first epoch: one real `digitlab worker` against `serve --max-concurrent 0`, and the
 *    same run trained by serve's own local queue, from queueing to the first epoch row.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../db/client.ts';
import { REFERENCE_HYPERPARAMETERS, type Hyperparameters } from '../src/training/hyperparameters.ts';
import { mnistFileHashes } from '../src/data/mnist.ts';
import { buildModel } from '../src/models/model.ts';
import { serializeModel } from '../src/models/saved-model.ts';
import { createRun, epochHistory, getRun } from '../src/store/store.ts';
import { WorkerClient } from '../src/execution/workers/client.ts';
import { HttpRecorder } from '../src/execution/workers/http-recorder.ts';
import { createToken } from '../src/store/worker-tokens.ts';
import { spawnServe, stopProcess } from '../test/helpers/serve-process.ts';
import { machineLine, measured, percent } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';

const BIN = path.resolve('bin/digitlab.js');
const values = benchOptions({
  file: 'bench/workers.ts',
  summary: 'what remote workers cost the server: simulated heartbeats, a full-size upload, queue to first epoch',
  options: {
    workers: { type: 'string', placeholder: 'N,N', description: 'simulated worker counts, comma-separated (default 50,200)' },
    seconds: { type: 'integer', min: 1, max: 600, description: 'how long each simulation runs (default 20)' },
    'skip-training': { type: 'boolean', description: 'leave out the queue-to-first-epoch runs, which train' },
  },
}) as { workers?: string; seconds?: number; 'skip-training'?: boolean };
const workerCounts = (values.workers ?? '50,200').split(',').map(Number);
if (workerCounts.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('bench/workers.ts: --workers takes whole numbers, e.g. 50,200');
  process.exit(2);
}
const seconds = values.seconds ?? 20;
const small = (seed: number): Hyperparameters => ({ ...REFERENCE_HYPERPARAMETERS, seed, epochs: 1, trainLimit: 2000, testLimit: 500 });

function freshStore(): { file: string; db: Db } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-bench-workers-')), 'runs.sqlite');
  return { file, db: openDb(file) };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function simulate(workers: number): Promise<void> {
  const { file, db } = freshStore();
  const { token } = createToken(db, 'simulated');
  for (let i = 0; i < workers; i++) createRun(db, { name: `simulated ${i}`, params: small(i + 1) });
  const { server, url } = await spawnServe(file, ['--max-concurrent', '0', '--lease-seconds', '60']);
  // No retries: a request that fails is counted, not hidden behind a backoff.
  const client = new WorkerClient(url, token, { retryForMs: 1 });
  const datasetHashes = mnistFileHashes();
  const latencies: number[] = [];
  let failures = 0;
  const timed = async (request: () => Promise<unknown>) => {
    const start = performance.now();
    try {
      await request();
      latencies.push(performance.now() - start);
    } catch {
      failures++;
    }
  };
  const claimer = new WorkerClient(url, token);
  const claims = [];
  for (let i = 0; i < workers; i++) claims.push(await claimer.postJson<{ run: { id: number; attempt: number } }>('/api/workers/claim', { host: 'simulated', datasetHashes }));
  const cpuBefore = cpuSeconds(server.pid!);
  const started = performance.now();
  await Promise.all(
    claims.map(async ({ run }, w) => {
      // Spread the workers over the second, as independent machines would be.
      await new Promise((r) => setTimeout(r, (w / workers) * 1000));
      for (let tick = 1; tick <= seconds; tick++) {
        const due = started + (w / workers) * 1000 + tick * 1000;
        const progress = { epoch: 1 + Math.floor(tick / 10), epochs: 99, batch: tick % 10, batches: 10, loss: 0.3, accuracy: 0.9 };
        await timed(() => client.postJson(`/api/workers/runs/${run.id}/heartbeat`, { attempt: run.attempt, progress }));
        if (tick % 10 === 0) {
          const epoch = { epoch: tick / 10, loss: 0.3, accuracy: 0.9, valLoss: 0.3, valAccuracy: 0.9, seconds: 10, valConfusion: null };
          await timed(() => client.postJson(`/api/workers/runs/${run.id}/epochs`, { attempt: run.attempt, epoch }));
        }
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid!) - cpuBefore;
  // Every answered heartbeat and epoch is one SQLite write transaction on the server.
  const writes = latencies.length;
  latencies.sort((a, b) => a - b);
  console.log(
    `${String(workers).padStart(4)} workers, ${seconds} s: ${latencies.length} answered, ${failures} failed, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
      `p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; server CPU ${((cpu / wall) * 100).toFixed(0)}% of one core; ` +
      `SQLite ${(writes / wall).toFixed(0)} writes/s (asked ${((workers * 1.1)).toFixed(0)}/s)`,
  );
  await stopProcess(server);
  db.$client.close();
}

async function uploadOverhead(): Promise<void> {
  const { file, db } = freshStore();
  const { token } = createToken(db, 'uploader');
  createRun(db, { name: 'upload', params: small(1) });
  const { server, url } = await spawnServe(file, ['--max-concurrent', '0']);
  const client = new WorkerClient(url, token);
  const { run } = await client.postJson<{ run: { id: number; attempt: number } }>('/api/workers/claim', { host: 'bench', datasetHashes: mnistFileHashes() });
  const model = buildModel(undefined, 1);
  const saved = await serializeModel(model);
  model.dispose();
  const tests = 10_000;
  const outcome = {
    loss: 0.03,
    accuracy: 0.99,
    confusion: Array.from({ length: 10 }, () => Array<number>(10).fill(100)),
    predicted: Uint8Array.from({ length: tests }, (_, i) => i % 10),
    probabilities: Float32Array.from({ length: tests * 10 }, () => Math.random()),
    embeddings: Float32Array.from({ length: tests * 64 }, () => Math.random()),
    embeddingDimensions: 64,
    trainSamplesPerSecond: 500,
  };
  const bytes = outcome.predicted.byteLength + outcome.probabilities.byteLength + outcome.embeddings.byteLength + saved.weightData.byteLength;
  const recorder = new HttpRecorder(client, run.id, run.attempt, { heartbeatMs: 1000, onStop: () => {} });
  const start = performance.now();
  await recorder.complete(outcome, saved);
  const ms = performance.now() - start;
  console.log(`upload of a full-size completion: ${(bytes / 1e6).toFixed(2)} MB in ${(ms / 1000).toFixed(2)} s (${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s), run ${getRun(db, run.id).status}`);
  await stopProcess(server);
  db.$client.close();
}

async function firstEpoch(where: 'remote worker' | 'local queue'): Promise<void> {
  const { file, db } = freshStore();
  const { token } = createToken(db, 'bench');
  const { server, url } = await spawnServe(file, where === 'local queue' ? ['--max-concurrent', '1'] : ['--max-concurrent', '0']);
  const worker =
    where === 'remote worker'
      ? spawn(process.execPath, [BIN, 'worker', '--server', url, '--token', token, '--once'], { stdio: 'ignore', env: { ...process.env, DIGITLAB_DB: '' } })
      : undefined;
  const queuedAt = Date.now();
  const run = createRun(db, { name: `first epoch, ${where}`, params: small(7) });
  for (;;) {
    const epochs = epochHistory(db, run.id);
    if (epochs.length > 0) {
      console.log(`queue → first epoch, ${where}: ${((Date.now() - queuedAt) / 1000).toFixed(1)} s (2,000 train / 500 test images, 1 epoch of ${epochs[0]!.seconds.toFixed(1)} s; process start included)`);
      break;
    }
    if (getRun(db, run.id).status === 'failed') throw new Error(getRun(db, run.id).error ?? 'failed');
    await new Promise((r) => setTimeout(r, 100));
  }
  for (;;) {
    const { status } = getRun(db, run.id);
    if (status !== 'queued' && status !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (worker) await stopProcess(worker);
  await stopProcess(server);
  db.$client.close();
}

console.log(`at start: ${machineLine()}`);
const { others } = await measured(async () => {
  for (const workers of workerCounts) await simulate(workers);
  await uploadOverhead();
  if (!values['skip-training']) {
    await firstEpoch('remote worker');
    await firstEpoch('local queue');
  }
});
console.log(`at end: ${machineLine()}; other processes used ${percent(others)} of all cores meanwhile`);

/**
 * What a person waits for on a full run (issue 28 part 2, issue 27 item 16): the first view of a
 * run page with every fragment it loads (analysis, map, calibration, robustness status), the
 * dataset page with its map, robustness curves, 16 concurrent explanations, the label-issues page
 * the import of a 40 MB CSV prediction file and of a 38 MB ONNX model, and a tracked run's 38 MB
 * model logged and the run ended; and meanwhile how long `/healthz` took to answer
 * (a client asks it again as soon as it answers, so its slowest answer is the longest stall).
 *
 * Each case runs against a fresh `digitlab serve` of a copy of the store, as a browser would see it
 * the first time: htmx fragments with a `load` trigger are fetched (after their delay) until none is
 * left, and a map's points (its `data-src`). `--settle` first waits for what the server computes in
 * the background when it starts (the run's and the pixels' maps stored in the copy), as a server
 * that was up when the run completed would have.
 *
 * Run: npx tsx bench/first-views.ts --db STORE --run ID [--root CHECKOUT] [--case NAME ...] [--settle]
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServe, stopProcess } from '../test/helpers/serve-process.ts';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../src/data/mnist.ts';
import { layersModelToOnnx } from '../src/models/onnx/onnx-export.ts';
import { machineLine } from './lib/machine-load.ts';
import { benchOptions } from './lib/script-options.ts';

const CASES = ['run-page', 'second-view', 'dataset', 'robustness', 'explain', 'label-issues', 'import-csv', 'import-onnx', 'tracked-model'] as const;
type Case = (typeof CASES)[number];

const options = benchOptions({
  file: 'bench/first-views.ts',
  summary: `first views of the pages of a full run, and the longest /healthz stall meanwhile: ${CASES.join(', ')}`,
  options: {
    db: { type: 'string', placeholder: 'PATH', description: 'a store holding a completed run on all 10,000 test images (copied, never written)' },
    run: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, description: 'that run (default 1)' },
    root: { type: 'string', placeholder: 'DIR', description: 'the checkout whose bin/digitlab.js serves (default: this one)' },
    case: { type: 'string', multiple: true, placeholder: 'NAME', description: `only this case (${CASES.join(', ')}); repeatable` },
    port: { type: 'integer', min: 0, max: 65535, description: 'the port each server listens on, one at a time (default 0: a free one); on a shared machine, one of its own' },
    settle: { type: 'boolean', description: "wait (up to 10 min) until the server's background work has stored the run's and the pixels' maps before visiting" },
  },
}) as { db?: string; run?: number; root?: string; case?: Case[]; port?: number; settle?: boolean };

if (!options.db) {
  console.error('bench/first-views.ts: --db STORE is required (a store with a completed full run; `npx digitlab train --epochs 1 --db STORE` makes one)');
  process.exit(2);
}
const unknown = options.case?.find((name) => !CASES.includes(name));
if (unknown) {
  console.error(`bench/first-views.ts: --case must be one of ${CASES.join(', ')}; got '${unknown}'`);
  process.exit(2);
}
const runId = options.run ?? 1;
const root = path.resolve(options.root ?? '.');
const store = path.resolve(options.db);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'digitlab-first-views-'));

/**
 * Asks /healthz again as soon as it answers; the slowest answer is how long the server could not
 * answer anyone. It asks from a thread of its own, so that this script's own work (encoding a
 * 40 MB upload, say) does not count as the server's.
 */
async function healthProbe(url: string) {
  const thread = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let stop = false, worst = 0, count = 0, failed = 0;
     parentPort.on('message', () => (stop = true));
     (async () => {
       while (!stop) {
         const start = performance.now();
         // A connection reset under load is counted, not thrown: a thrown one ended this script and left its server running.
         const answered = await fetch(workerData + '/healthz').then((r) => r.text()).then(() => true, () => false);
         if (!answered) failed++;
         if (count > 0) worst = Math.max(worst, performance.now() - start);
         else parentPort.postMessage({ ready: true });
         count++;
         await new Promise((resolve) => setTimeout(resolve, 5));
       }
       parentPort.postMessage({ worst, count, failed });
     })();`,
    { eval: true, workerData: url },
  );
  await new Promise((resolve) => thread.once('message', resolve)); // asking, before the case starts
  return async (): Promise<{ worst: number; count: number; failed: number }> => {
    const result = new Promise<{ worst: number; count: number; failed: number }>((resolve) => thread.once('message', resolve));
    thread.postMessage('stop');
    const figures = await result;
    await thread.terminate();
    return figures;
  };
}

const SAME_ORIGIN = (url: string) => ({ Origin: url, 'Sec-Fetch-Site': 'same-origin' });

/** Fetches a page and, as htmx would, every fragment it loads on `load` (after its delay) and every map's points, until none is left. */
async function view(url: string, page: string, log: string[]): Promise<void> {
  const pending: { path: string; delay: number }[] = [{ path: page, delay: 0 }];
  let fetched = 0;
  while (pending.length > 0) {
    const batch = pending.splice(0);
    await Promise.all(
      batch.map(async ({ path: at, delay }) => {
        await sleep(delay);
        const response = await fetch(url + at, { headers: { 'HX-Request': at === page ? '' : 'true' } });
        const html = await response.text();
        if (++fetched > 500) throw new Error(`${page}: over 500 fragments; something polls forever`);
        if (response.status >= 400) log.push(`${at}: ${response.status}`);
        for (const match of html.matchAll(/<[^>]*\bhx-get="([^"]+)"[^>]*\bhx-trigger="load(?: delay:(\d+)(ms|s))?"/g)) {
          const ms = match[2] ? Number(match[2]) * (match[3] === 's' ? 1000 : 1) : 0;
          pending.push({ path: match[1]!.replace(/&amp;/g, '&'), delay: ms });
        }
        for (const match of html.matchAll(/\bdata-src="([^"]+\.json)"/g)) pending.push({ path: match[1]!, delay: 0 });
      }),
    );
  }
}

/** Polls `status` until `done` says the body is final. */
async function until(url: string, at: string, done: (html: string) => boolean, init?: RequestInit): Promise<void> {
  let html = await (await fetch(url + at, init)).text();
  while (!done(html)) {
    await sleep(500);
    html = await (await fetch(url + at)).text();
  }
}

/** A prediction file of 10,000 rows, each probability written with 394 digits: about 40 MB. */
function bigCsv(): string {
  const file = path.join(scratch, 'predictions.csv');
  const labels = loadMnist('test').labels;
  const rows: string[] = [];
  const digits = '7'.repeat(390); // 400 bytes a value: the 40 MB of issue 27's file
  for (let i = 0; i < labels.length; i++) {
    const p = Array.from({ length: 10 }, (_, k) => (k === labels[i] ? `0.91${digits}` : `0.01${digits}`));
    rows.push(p.join(','));
  }
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

/** An MLP of 784 -> 12,000 -> 10 as ONNX: 9.5 M weights, about 38 MB, near the 50 MB a model may be. */
function bigOnnx(): Uint8Array<ArrayBuffer> {
  const model = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 12_000, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
  const bytes = layersModelToOnnx(model, 'big') as Uint8Array<ArrayBuffer>;
  model.dispose();
  return bytes;
}
let onnxBytes: Uint8Array<ArrayBuffer> | undefined;

/** Imports `bytes` as the file `name` through the web form. */
async function importFile(url: string, log: string[], bytes: Uint8Array<ArrayBuffer>, name: string): Promise<void> {
  const form = new FormData();
  form.set('file', new Blob([bytes]), name);
  form.set('name', name);
  const response = await fetch(`${url}/runs/import`, { method: 'POST', body: form, headers: SAME_ORIGIN(url), redirect: 'manual' });
  log.push(`${(bytes.length / 1048576).toFixed(1)} MB: ${response.status}`);
}

const CASE_WORK: Record<Case, (url: string, log: string[]) => Promise<void>> = {
  'run-page': (url, log) => view(url, `/runs/${runId}`, log),
  // Untimed first: the first visit (WARM_UP below), then the second is timed.
  'second-view': (url, log) => view(url, `/runs/${runId}`, log),
  dataset: (url, log) => view(url, '/dataset', log),
  robustness: (url) =>
    until(url, `/runs/${runId}/robustness`, (html) => !/hx-trigger="load delay/.test(html), { method: 'POST', headers: SAME_ORIGIN(url) }),
  explain: async (url, log) => {
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => fetch(`${url}/runs/${runId}/explain/test/${i}.png?method=ig`).then((r) => r.status)),
    );
    const bad = answers.filter((s) => s !== 200).length;
    if (bad) log.push(`${bad} of 16 explanations answered other than 200: ${answers.join(' ')}`);
  },
  'label-issues': (url, log) => view(url, '/label-issues', log),
  'import-csv': async (url, log) => importFile(url, log, readFileSync((csvFile ??= bigCsv())), 'predictions.csv'),
  'import-onnx': (url, log) => importFile(url, log, (onnxBytes ??= bigOnnx()), 'big.onnx'),
  'tracked-model': async (url, log) => {
    const bytes = (onnxBytes ??= bigOnnx());
    const json = { 'Content-Type': 'application/json' };
    const created = await fetch(`${url}/api/tracking/runs`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'big model' }) });
    const { id } = (await created.json()) as { id: number };
    const put = await fetch(`${url}/api/tracking/runs/${id}/model`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const labels = loadMnist('test').labels;
    const probabilities = Array.from(labels, (label) => Array.from({ length: 10 }, (_, k) => (k === label ? 0.91 : 0.01)));
    const predictions = await fetch(`${url}/api/tracking/runs/${id}/predictions`, { method: 'PUT', headers: json, body: JSON.stringify({ probabilities }) });
    const end = await fetch(`${url}/api/tracking/runs/${id}/end`, { method: 'POST', headers: json, body: JSON.stringify({ status: 'completed' }) });
    log.push(`${(bytes.length / 1048576).toFixed(1)} MB model: ${put.status}, predictions ${predictions.status}, end ${end.status}`);
  },
};
let csvFile: string | undefined;

/** What a case visits, untimed, before its timed part. */
const WARM_UP: Partial<Record<Case, (url: string) => Promise<void>>> = {
  'second-view': (url) => view(url, `/runs/${runId}`, []),
};

function storedMaps(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('select count(*) from embedding_maps where (run_id = ? or run_id is null)').pluck().get(runId) as number;
  } finally {
    db.close();
  }
}

async function measure(name: Case): Promise<string> {
  const file = path.join(scratch, `${name}.sqlite`);
  copyFileSync(store, file);
  const { server, url: served } = await spawnServe(file, options.port === undefined ? [] : ['--port', String(options.port)], root);
  const url = served.replace(/\/$/, '');
  try {
    await fetch(`${url}/healthz`);
    if (options.settle) {
      const start = performance.now();
      while (storedMaps(file) < 2 && performance.now() - start < 600_000) await sleep(500);
      await sleep(1000);
      console.log(`  settled in ${((performance.now() - start) / 1000).toFixed(1)} s (${storedMaps(file)} of 2 maps stored)`);
    }
    const log: string[] = [];
    await WARM_UP[name]?.(url);
    const stopProbe = await healthProbe(url);
    const start = performance.now();
    await CASE_WORK[name](url, log);
    const seconds = (performance.now() - start) / 1000;
    const health = await stopProbe();
    return `${name.padEnd(13)} ${seconds.toFixed(2).padStart(7)} s   /healthz worst ${Math.round(health.worst).toString().padStart(6)} ms over ${health.count} answers${health.failed ? ` (${health.failed} failed)` : ''}  ${log.join('; ')}`;
  } finally {
    await stopProcess(server);
  }
}

console.log(`first views of run ${runId} in ${store}, served by ${root}; ${machineLine()}`);
const rows: string[] = [];
for (const name of options.case?.length ? options.case : CASES) {
  console.log(`${name}...`);
  try {
    rows.push(await measure(name));
  } catch (err) {
    rows.push(`${name.padEnd(13)} could not run: ${(err as Error).message.split('\n')[0]}`);
  }
  console.log(`  ${rows.at(-1)}`);
}
console.log(`\nsummary (${machineLine()})`);
for (const row of rows) console.log(`  ${row}`);
// Each run copied the store per case and wrote a 40 MB CSV: tens of MB a run, left in /tmp otherwise.
rmSync(scratch, { recursive: true, force: true });

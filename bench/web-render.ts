/**
 * How fast the web pages render with a full store: 100 completed runs, each with its 10,000 test
 * predictions, in a SQLite file in WAL mode as `serve` uses it. Requests go through the real app
 * (app.request: routing, queries, rendering), without a socket. Target: median under 150 ms.
 * Then the runs list alone with a long history: --list-runs runs (default 1,000, each with 1,000
 * test predictions), filtered, sorted and paged as /runs, /api/runs and its CSV export do.
 * Run: npx tsx bench/web-render.ts [--runs N] [--repeats N] [--list-runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../db/client.ts';
import { RunQueue } from '../src/execution/queue.ts';
import { storeOn } from '../src/store/open-store.ts';
import { createApp } from '../src/web/app.tsx';
import { TestImages } from '../src/web/test-images.ts';
import { recordCompletedRun } from '../test/helpers/recorded-runs.ts';
import { benchOptions } from './lib/script-options.ts';

const options = benchOptions({
  file: 'bench/web-render.ts',
  summary: 'how fast the web pages render with a full store (runs with their test predictions)',
  options: {
    runs: { type: 'integer', min: 1, max: 10_000, description: 'completed runs in the store (default 100)' },
    repeats: { type: 'integer', min: 1, max: 10_000, description: 'timed requests per page (default 30)' },
    'list-runs': { type: 'integer', min: 0, max: 100_000, description: 'runs in the second store, for the runs list (default 1000; 0 skips it)' },
  },
});
const runCount = (options.runs as number | undefined) ?? 100;
const repeats = (options.repeats as number | undefined) ?? 30;
const listRunCount = (options['list-runs'] as number | undefined) ?? 1000;

const dir = mkdtempSync(path.join(os.tmpdir(), 'digitlab-web-bench-'));
const db = openDb(path.join(dir, 'bench.sqlite'));
const images = new TestImages();
let start = performance.now();
for (let i = 0; i < runCount; i++) {
  recordCompletedRun(db, images.labels, { name: `bench run ${i}`, seed: i + 1, accuracy: 0.95 + (i % 40) / 1000, epochs: 5, tags: { bench: String(i % 4) } });
}
console.log(`filled ${runCount} runs x ${images.count} predictions in ${((performance.now() - start) / 1000).toFixed(1)} s`);

let app = createApp({ ...storeOn(db), queue: new RunQueue(storeOn(db)), images });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(label: string, url: string) {
  const times: number[] = [];
  let bytes = 0;
  // The first requests pay for loading MNIST and encoding thumbnails, as a fresh server would once.
  for (let i = 0; i < repeats + 3; i++) {
    start = performance.now();
    const res = await app.request(url);
    bytes = (await res.text()).length;
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= 3) times.push(performance.now() - start);
  }
  console.log(`${label.padEnd(34)} median ${median(times).toFixed(1).padStart(6)} ms   max ${Math.max(...times).toFixed(1).padStart(6)} ms   ${(bytes / 1024).toFixed(0)} kB`);
}

const middle = Math.ceil(runCount / 2);
await measure('runs page (/runs)', '/runs');
await measure('runs page sorted by accuracy', '/runs?sort=accuracy&dir=asc&tag=bench%3D1');
await measure(`run page (/runs/${middle})`, `/runs/${middle}`);
await measure('confusion cell fragment (7 -> 7)', `/runs/${middle}/gallery?label=7&predicted=7`);
await measure('image view (/images/test/0)', '/images/test/0');
await measure('JSON run (/api/runs/N)', `/api/runs/${middle}`);
db.$client.close();

if (listRunCount > 0) {
  const listDb = openDb(path.join(dir, 'list.sqlite'));
  const labels = images.labels.subarray(0, 1000);
  start = performance.now();
  for (let i = 0; i < listRunCount; i++) {
    const params = { learningRate: [0.0003, 0.001, 0.003, 0.01][i % 4]!, batchSize: [32, 64, 128][i % 3]! };
    recordCompletedRun(listDb, labels, { name: `list run ${i}`, seed: i + 1, accuracy: 0.9 + (i % 90) / 1000, epochs: 3, params, tags: { bench: String(i % 4) } });
  }
  console.log(`filled ${listRunCount} runs x ${labels.length} predictions in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  app = createApp({ ...storeOn(listDb), queue: new RunQueue(storeOn(listDb)), images });
  const where = encodeURIComponent('lr>=0.001 acc>0.92');
  await measure(`runs list, ${listRunCount} runs (/runs)`, '/runs');
  await measure('  filtered, sorted by val_acc, page 3', `/runs?where=${where}&sort=val_acc&page=3&col=val_acc&col=learningRate&col=acc`);
  await measure('  /api/runs?per_page=50, filtered', `/api/runs?where=${where}&per_page=50`);
  await measure('  /api/runs all (no paging)', '/api/runs');
  await measure('  CSV export, filtered', `/api/runs?format=csv&where=${where}&col=acc&col=val_acc`);
  listDb.$client.close();
}
rmSync(dir, { recursive: true });

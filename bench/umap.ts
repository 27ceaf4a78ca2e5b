/**
 * How long a 10,000-point UMAP map takes, computed the way the web server does it: in a worker
 * thread, while this thread's event loop is timed to show it stays free. The goal is under 30 s.
 * Run: npx tsx bench/umap.ts [--db PATH --run ID]   (default: the test set's raw pixels, 784-d,
 * the harder case; with a run, its 64-d test embeddings)
 */
import os from 'node:os';
import { openDb } from '../db/client.ts';
import { umapLayoutInThread } from '../src/analysis/maps/layout-in-thread.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { loadTestEmbeddings } from '../src/store/store.ts';
import { benchOptions } from './lib/script-options.ts';

const values = benchOptions({
  file: 'bench/umap.ts',
  summary: "how long a 10,000-point UMAP map takes in a worker thread, and how free the main thread stays",
  options: {
    db: { type: 'string', placeholder: 'PATH', description: 'run store holding --run (default $DIGITLAB_DB or db/digitlab.sqlite)' },
    run: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, description: "map this run's test embeddings (default: the test set's pixels)" },
  },
}) as { db?: string; run?: number };

function input(): { what: string; data: Float32Array | Uint8Array; dimensions: number } {
  if (!values.run) return { what: 'test-set pixels', data: loadMnist('test').images, dimensions: 784 };
  const embeddings = loadTestEmbeddings(openDb(values.db), Number(values.run));
  if (!embeddings) throw new Error(`run ${values.run} has no stored embeddings`);
  return { what: `run ${values.run} embeddings`, data: embeddings.vectors, dimensions: embeddings.dimensions };
}

const { what, data, dimensions } = input();
let worstLagMs = 0;
let expected = performance.now() + 50;
const ticker = setInterval(() => {
  worstLagMs = Math.max(worstLagMs, performance.now() - expected);
  expected = performance.now() + 50;
}, 50);
const stages: string[] = [];
let stage = '';
const cpuBefore = process.cpuUsage();
const started = performance.now();
const coordinates = await umapLayoutInThread({ kind: 'vectors', data, dimensions }, {
  onProgress: (_fraction, now) => {
    if (now !== stage) stages.push(`${now} from ${((performance.now() - started) / 1000).toFixed(1)} s`);
    stage = now;
  },
});
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(ticker);
console.log(`${what}: ${coordinates.length / 2} points x ${dimensions} dimensions`);
console.log(stages.join('\n'));
console.log(`wall ${seconds.toFixed(1)} s, cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (all threads)`);
console.log(`main event loop: worst lag ${worstLagMs.toFixed(0)} ms over 50 ms ticks`);
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);

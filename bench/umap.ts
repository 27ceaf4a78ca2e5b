/**
 * How long a 10,000-point UMAP map takes, computed the way the web server does it: in a worker
 * thread, while this thread's event loop is timed to show it stays free. The goal is under 5 s.
 * Run: npx tsx bench/umap.ts [--db PATH --run ID]   (default: the test set's raw pixels, 784-d,
 * the harder case; with a run, its 64-d test embeddings)
 * With --compare-umap-js, instead: per seed, our graph and optimisation and umap-js's on the same
 * projected points and neighbours, back to back in this thread (alternating which goes first, as
 * the machine's speed drifts), with the 15-NN agreement of each layout with its input.
 */
import os from 'node:os';
import { openDb } from '../db/client.ts';
import { exactNeighbours, type Neighbours } from '../src/analysis/maps/knn.ts';
import { umapLayoutInThread } from '../src/analysis/maps/layout-in-thread.ts';
import { neighbourhoodAgreement } from '../src/analysis/maps/neighbourhood-agreement.ts';
import { projectToPrincipalComponents } from '../src/analysis/maps/pca.ts';
import { umapJsLayoutFromNeighbours } from '../src/analysis/maps/umap-js-reference.ts';
import { LAYOUT_DEFAULTS, layoutFromNeighbours, type GraphLayoutOptions } from '../src/analysis/maps/umap-layout.ts';
import { seededRandom } from '../src/core/random.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { loadTestEmbeddings } from '../src/store/store.ts';
import { benchOptions } from './lib/script-options.ts';

const values = benchOptions({
  file: 'bench/umap.ts',
  summary: "how long a 10,000-point UMAP map takes in a worker thread, and how free the main thread stays",
  options: {
    db: { type: 'string', placeholder: 'PATH', description: 'run store holding --run (default $DIGITLAB_DB or db/digitlab.sqlite)' },
    run: { type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, description: "map this run's test embeddings (default: the test set's pixels)" },
    'compare-umap-js': { type: 'boolean', description: "time our graph and optimisation against umap-js's on the same neighbours, and compare their 15-NN agreement" },
    seeds: { type: 'integer', min: 1, max: 10, description: 'how many seeds --compare-umap-js runs (default 3)' },
  },
}) as { db?: string; run?: number; 'compare-umap-js'?: boolean; seeds?: number };

function input(): { what: string; data: Float32Array | Uint8Array; dimensions: number } {
  if (!values.run) return { what: 'test-set pixels', data: loadMnist('test').images, dimensions: 784 };
  const embeddings = loadTestEmbeddings(openDb(values.db), Number(values.run));
  if (!embeddings) throw new Error(`run ${values.run} has no stored embeddings`);
  return { what: `run ${values.run} embeddings`, data: embeddings.vectors, dimensions: embeddings.dimensions };
}

/** Neighbourhoods kept: each point's 15 nearest in the layout's input against its 15 nearest on the map. */
const AGREEMENT_NEIGHBOURS = 15;

const { what, data, dimensions } = input();
if (values['compare-umap-js']) compareWithUmapJs();
else await timeInThread();

function compareWithUmapJs(): void {
  const { components, neighbours, epochs } = LAYOUT_DEFAULTS;
  console.log(`${what}: ${data.length / dimensions} points x ${dimensions} dimensions, ${epochs} epochs, ${neighbours} neighbours`);
  const layouts: Record<string, (knn: Neighbours, options: GraphLayoutOptions) => Float64Array> = {
    ours: layoutFromNeighbours,
    'umap-js': umapJsLayoutFromNeighbours,
  };
  for (let seed = 1; seed <= (values.seeds ?? 3); seed++) {
    const random = seededRandom(seed);
    const projected = projectToPrincipalComponents(data, dimensions, components, random);
    const width = projected.length / (data.length / dimensions);
    const started = performance.now();
    const knn = exactNeighbours(projected, width, neighbours);
    const line = [`seed ${seed}: neighbours ${((performance.now() - started) / 1000).toFixed(2)} s`];
    const order = seed % 2 === 1 ? ['ours', 'umap-js'] : ['umap-js', 'ours'];
    for (const name of order) {
      const began = performance.now();
      const cpuBefore = process.cpuUsage();
      const layout = layouts[name]!(knn, { epochs, random: seededRandom(seed) });
      const seconds = (performance.now() - began) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const agreement = neighbourhoodAgreement(projected, width, Float32Array.from(layout), AGREEMENT_NEIGHBOURS);
      // cpu beside wall: on a shared machine the wall time also counts the turns other processes take.
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      line.push(`${name} graph+optimise ${seconds.toFixed(2)} s (cpu ${cpuSeconds.toFixed(2)} s), agreement ${agreement.toFixed(4)}`);
    }
    console.log(line.join('; '));
  }
}

async function timeInThread(): Promise<void> {
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
}

import { describe, expect, it } from 'vitest';
import { MapJobs } from '../../../src/analysis/maps/map-jobs.ts';
import { loadMap, pixelMapKey, runMapKey } from '../../../src/analysis/maps/map-store.ts';
import { layoutRows, type LayoutInput } from '../../../src/analysis/maps/layout-input.ts';
import { BackgroundAnalyses } from '../../../src/analysis/run-analyses/background.ts';
import { RunAnalyses } from '../../../src/analysis/run-analyses/run-analyses.ts';
import { discoverSlices } from '../../../src/analysis/slice-discovery.ts';
import { loadDataset } from '../../../src/data/datasets/catalogue.ts';
import { loadMnist } from '../../../src/data/mnist.ts';
import { unpackTestEmbeddings } from '../../../src/store/store.ts';
import { memoryDb, runningRun } from '../../helpers/db.ts';
import { recordCompletedRun } from '../../helpers/recorded-runs.ts';

const { labels } = loadMnist('test');
const fashionLabels = loadDataset(null, 'fashion-mnist', 'test').labels;
const labelsOf = (dataset: string) => (dataset === 'fashion-mnist' ? fashionLabels : labels);

/** Background work with a layout that only records what it was asked, and slices found in place: the scheduling is what is tested. */
function background() {
  const db = memoryDb();
  const laidOut: number[] = [];
  const layout = (input: LayoutInput) => {
    const { data, dimensions } = layoutRows(input);
    laidOut.push(dimensions);
    return Promise.resolve(new Float32Array((data.length / dimensions) * 2));
  };
  const maps = new MapJobs(db, layout);
  const discovered: number[] = [];
  const given: Uint8Array[] = [];
  const analyses = new RunAnalyses(db, labelsOf, (input) => {
    discovered.push(input.embeddings.dimensions);
    given.push(input.labels);
    return Promise.resolve(discoverSlices({ ...input, embeddings: unpackTestEmbeddings(input.embeddings) }));
  });
  return { db, maps, analyses, laidOut, discovered, given, work: new BackgroundAnalyses(db, maps, analyses) };
}

describe('background analyses', () => {
  it("computes a completed run's slices and map, the pixel map and the dataset page's ranking before anyone asks", async () => {
    const { db, maps, analyses, work } = background();
    const run = recordCompletedRun(db, labels, { accuracy: 0.9, embeddingDimensions: 8 });
    // Ten thousand predictions of another dataset's test images are no vote on MNIST's labels.
    recordCompletedRun(db, fashionLabels, { dataset: 'fashion-mnist', accuracy: 0.8 });
    expect(analyses.slicesStatus(run.id).state).toBe('absent');
    await work.scan();
    expect(analyses.slicesStatus(run.id).state).toBe('ready');
    expect(loadMap(db, runMapKey(run.id))).not.toBeNull();
    expect(loadMap(db, pixelMapKey('mnist'))).not.toBeNull();
    expect(maps.status(runMapKey(run.id)).state).toBe('ready');
    const status = analyses.testLabelIssuesStatus('mnist');
    expect(status.state).toBe('ready');
    expect(status.state === 'ready' && status.value.runs).toBe(1);
  }, 120_000);

  it("ranks another dataset's label issues and finds its runs' slices over that dataset's own labels, in the background", async () => {
    const { db, analyses, work, given } = background();
    const run = recordCompletedRun(db, fashionLabels, { dataset: 'fashion-mnist', accuracy: 0.95, embeddingDimensions: 8 });
    expect(analyses.testLabelIssuesStatus('fashion-mnist').state).toBe('absent');
    await work.scan();
    expect(analyses.slicesStatus(run.id).state).toBe('ready');
    expect(given).toEqual([fashionLabels]);
    const fashion = analyses.testLabelIssuesStatus('fashion-mnist');
    expect(fashion.state === 'ready' && fashion.value.runs).toBe(1);
    // Its 5% wrong predictions, confident ones among them, are suspects of Fashion-MNIST's labels.
    expect(fashion.state === 'ready' && fashion.value.issues.length).toBeGreaterThan(0);
    const mnist = analyses.testLabelIssuesStatus('mnist');
    expect(mnist.state === 'ready' && mnist.value.runs).toBe(0);
  }, 120_000);

  it('notices runs that complete later, whoever completed them, and does each job once', async () => {
    const { db, analyses, work, laidOut, discovered } = background();
    runningRun(db); // still training: nothing to analyse
    await work.scan();
    expect(laidOut).toEqual([784]); // the pixel map only
    expect(discovered).toEqual([]);
    // Completed by another process (a worker, an import): it only shows in the store.
    const run = recordCompletedRun(db, labels, { embeddingDimensions: 8, seed: 2 });
    await work.scan();
    await work.scan();
    expect(laidOut).toEqual([784, 8]);
    expect(discovered).toEqual([8]);
    expect(analyses.slicesStatus(run.id).state).toBe('ready');
  }, 120_000);

  it('leaves a run without embeddings alone and does not retry a failed job forever', async () => {
    const { db, maps, analyses } = background();
    recordCompletedRun(db, labels, { seed: 3 }); // predictions, no embeddings: nothing to map
    const failing = new RunAnalyses(db, labelsOf, () => Promise.reject(new Error('no memory')));
    const withEmbeddings = recordCompletedRun(db, labels, { seed: 4, embeddingDimensions: 8 });
    const lines: string[] = [];
    const work = new BackgroundAnalyses(db, maps, failing, (line) => lines.push(line));
    await work.scan();
    await work.scan();
    expect(lines.filter((line) => line.includes(`slices:${withEmbeddings.id} failed: no memory`))).toHaveLength(1);
    expect(failing.slicesStatus(withEmbeddings.id)).toEqual({ state: 'failed', error: 'no memory' });
    expect(analyses.slicesStatus(withEmbeddings.id).state).toBe('absent'); // another instance: untouched
  }, 120_000);
});
